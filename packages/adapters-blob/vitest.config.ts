import { defineProject } from "vitest/config"

export default defineProject({
  resolve: { conditions: ["@registrar/source"] },
  test: { name: "adapters-blob", include: ["test/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 60_000 }
})
