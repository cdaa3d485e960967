import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Reseller keys are hashed with scrypt (~100-200 ms each on a loaded 2-core machine).
    testTimeout: 30_000,
    reporters: ["default", "json"],
    outputFile: { json: "./.vitest-report.json" }
  }
})
