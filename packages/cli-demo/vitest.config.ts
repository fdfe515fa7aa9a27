import { defineProject } from "vitest/config"

export default defineProject({
  resolve: { conditions: ["@registrar/source"] },
  test: {
    name: "cli-demo",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/GlobalSetup.ts"],
    // Each test runs the built binary several times; each run pays Node's and PGlite's start-up.
    testTimeout: 180_000,
    hookTimeout: 300_000
  }
})
