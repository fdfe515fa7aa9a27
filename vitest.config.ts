import { defineConfig } from "vitest/config"

export default defineConfig({
  resolve: { conditions: ["@registrar/source"] },
  test: {
    projects: ["packages/*/vitest.config.ts"],
    // In CI, also write a machine-readable report: .ci/run checks that tests ran and none was skipped.
    ...(process.env.CI ? { reporters: ["default", "json"], outputFile: { json: "test-results.json" } } : {})
  }
})
