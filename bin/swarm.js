#!/usr/bin/env node
// Loading the CLI takes ~0.5 s (TypeScript's compiler is part of it): a working command says so at once on a
// terminal (issue 17); the CLI clears this row as soon as it is loaded (src/cli/main.ts).
const WORKING = new Set(["plan", "estimate", "validate", "run", "resume", "merge"]);
// CI as src/cli/output-mode.ts isCI reads it (CI=false is not CI; GITHUB_ACTIONS=true is).
const ci = process.env.CI;
const isCI = (ci !== undefined && ci.toLowerCase() !== "false" && ci !== "0") || process.env.GITHUB_ACTIONS === "true";
if (process.stderr.isTTY && !isCI && WORKING.has(process.argv[2] ?? "")) {
  process.stderr.write("swarm: starting…");
  // The CLI clears only a row that was written: a CI runner's terminal or `swarm --version` gets no escape code.
  globalThis[Symbol.for("refactor-swarm.startingRow")] = true;
}
await import("../dist/cli/main.js");
