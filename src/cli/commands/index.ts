import type { CliIO } from "../io.js";
import type { Handlers } from "../program.js";

// Each command is loaded when it runs: ts-morph, the tokenizer and the SDK cost ~1 s of startup, which
// `--help`, `--version` and a mistyped flag should not pay.
export function createCommands(io: CliIO): Handlers {
  return {
    plan: async (repo, flags) => (await import("./plan.js")).planCommand(repo, flags, io),
    estimate: async (repo, flags) => (await import("./estimate.js")).estimateCommand(repo, flags, io),
    run: async (repo, flags) => (await import("./run.js")).runCommand(repo, flags, io),
    resume: async (runId, repo, flags) => (await import("./run.js")).resumeCommand(runId, repo, flags, io),
    report: async (runId, repo, flags) => (await import("./report.js")).reportCommand(runId, repo, flags, io),
    validate: async (repo, flags) => (await import("./validate.js")).validateCommand(repo, flags, io),
    merge: async (files, flags) => (await import("./run.js")).mergeCommand(files, flags, io),
  };
}
