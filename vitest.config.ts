import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The JSON file gives .ci/run the runner's own pass/fail counts.
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});
