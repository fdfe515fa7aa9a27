import { defineConfig } from "vitest/config"

export default defineConfig({
  resolve: { conditions: ["@registrar/source"] },
  test: {
    projects: ["packages/*/vitest.config.ts"]
  }
})
