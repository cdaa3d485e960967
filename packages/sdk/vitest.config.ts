import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // A test's own deadline, not a measure: on a machine shared with other
    // suites a test that spawns or serves may take seconds.
    testTimeout: 60_000,
    // Test files share a worker's modules instead of importing them again each
    // (decision 0005): most of this suite's time was module import.
    isolate: false,
    reporters: ["default", "json"],
    outputFile: { json: "./.vitest-report.json" }
  }
})
