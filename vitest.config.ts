import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    environment: "node",
    // One empty HOME for the run (no host git config), and the kit's temp dirs removed after each file.
    globalSetup: ["test/support/global-setup.ts"],
    setupFiles: ["test/support/setup.ts"],
    // Most of the time goes to spawned CLIs, git and the loopback server, not to the test process: on this
    // 2-core machine four files at once overlap that waiting (whole suite: 5 m 25 s by default, 3 m 19 s with 4).
    maxWorkers: 4,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The JSON file gives .ci/run the runner's own pass/fail counts.
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});
