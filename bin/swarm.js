#!/usr/bin/env node
// Loading the CLI takes ~0.5 s (TypeScript's compiler is part of it): a working command says so at once on a
// terminal (issue 17); the CLI clears this row as soon as it is loaded (src/cli/main.ts).
const WORKING = new Set(["plan", "estimate", "validate", "run", "resume", "merge"]);
// The CLI's own CI rule; output-mode.js imports nothing, so this costs no load time.
const { isCI } = await import("../dist/cli/output-mode.js");
if (process.stderr.isTTY && !isCI(process.env) && WORKING.has(process.argv[2] ?? "")) {
  process.stderr.write("swarm: starting…");
  // The CLI clears only a row that was written: a CI runner's terminal or `swarm --version` gets no escape code.
  globalThis[Symbol.for("refactor-swarm.startingRow")] = true;
}
await import("../dist/cli/main.js");
