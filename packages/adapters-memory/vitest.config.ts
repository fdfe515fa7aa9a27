import { defineProject } from "vitest/config"

export default defineProject({
  resolve: { conditions: ["@registrar/source"] },
  test: { name: "adapters-memory", include: ["test/**/*.test.ts"] }
})
