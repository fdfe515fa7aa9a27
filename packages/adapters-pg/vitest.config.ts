import { defineProject } from "vitest/config"

export default defineProject({
  resolve: { conditions: ["@registrar/source"] },
  test: { name: "adapters-pg", include: ["test/**/*.test.ts"] }
})
