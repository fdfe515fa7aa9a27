import { defineProject } from "vitest/config"

export default defineProject({
  resolve: { conditions: ["@registrar/source"] },
  test: { name: "api", include: ["test/**/*.test.ts"] }
})
