import { defineProject } from "vitest/config"

// The server tests share one PostgreSQL server (and one of them restarts it), so this package's files run one at a
// time in a single fork; timeouts leave room for a loaded 2-core machine and for PGlite's start-up.
export default defineProject({
  resolve: { conditions: ["@registrar/source"] },
  test: {
    name: "adapters-pg",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/GlobalSetup.ts"],
    pool: "forks",
    poolOptions: { forks: { singleFork: true } },
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
