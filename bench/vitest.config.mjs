import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.mjs"],
    testTimeout: 30_000,
    reporters: ["default", "json"],
    outputFile: { json: "./.vitest-report.json" }
  }
})
