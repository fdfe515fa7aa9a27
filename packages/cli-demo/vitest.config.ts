import { defineProject } from "vitest/config"

export default defineProject({
  resolve: { conditions: ["@registrar/source"] },
  test: { name: "cli-demo", include: ["test/**/*.test.ts"] }
})
