import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "web",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/GlobalSetup.ts"],
    // One browser and one server for the whole story; each step waits for pages as a person would.
    testTimeout: 60_000,
    hookTimeout: 180_000
  }
})
