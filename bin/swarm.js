#!/usr/bin/env node
// Loading the CLI takes ~0.5 s (TypeScript's compiler is part of it): a working command says so at once on a
// terminal (issue 17); the CLI clears this row as soon as it is loaded (src/cli/main.ts).
const WORKING = new Set(["plan", "estimate", "validate", "run", "resume", "merge"]);
if (process.stderr.isTTY && !process.env.CI && WORKING.has(process.argv[2] ?? "")) process.stderr.write("swarm: starting…");
await import("../dist/cli/main.js");
