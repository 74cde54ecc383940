import { Command, Option } from "commander";
import { parseInstruction, parsePositiveInt, parseRate, parseRoles, parseUSD } from "./flags.js";

export interface CommonFlags {
  instruction?: string;
  config?: string;
  roles?: string[];
  concurrency?: number;
  model?: string;
  baseUrl?: string;
  branch?: string;
  json?: boolean;
}

export interface EstimateFlags extends CommonFlags {
  /** Run this many representative tasks for real and extrapolate from their bills. */
  sample?: number;
}

export interface RunFlags extends CommonFlags {
  /** Continue the run directory an `estimate --sample` left, reusing its answers. */
  fromSample?: string;
  dryRun?: boolean;
  resume?: string;
  maxCostUsd?: number;
  maxFailureRate?: number;
}

export interface Handlers {
  plan(repo: string, flags: CommonFlags): Promise<void>;
  estimate(repo: string, flags: EstimateFlags): Promise<void>;
  run(repo: string, flags: RunFlags): Promise<void>;
  resume(runId: string, repo: string, flags: RunFlags): Promise<void>;
  report(runId: string | undefined, repo: string, flags: { json?: boolean }): Promise<void>;
  validate(repo: string, flags: { json?: boolean; config?: string }): Promise<void>;
}

// Commander definitions only; what each command does lives in cli/commands/.
export function buildProgram(handlers: Handlers, version: string): Command {
  const program = new Command("swarm")
    .description("Refactor a whole codebase with many LLM agents at once, and get a git branch to review.")
    .version(version)
    .showHelpAfterError("(run swarm --help for usage)")
    .configureOutput({ outputError: (text, write) => write(`swarm: ${text.replace(/^error: /, "")}`) });

  const common = (cmd: Command) =>
    cmd
      .option("-i, --instruction <text>", "what to change, e.g. \"Convert callbacks to async/await\"", parseInstruction)
      .option("-c, --config <file>", "config file (default: <repo>/swarm.config.json, then built-in defaults)")
      .option("--roles <list>", "comma-separated roles: refactor,test,doc", parseRoles)
      .option("--concurrency <n>", "requests in flight at most (default 80)", parsePositiveInt("--concurrency"))
      .option("--model <name>", "model for every role without its own (default kimi-k2.6)")
      .option("--base-url <url>", "OpenAI-compatible endpoint (default https://api.moonshot.ai/v1)")
      .option("--branch <name>", "branch to write (default swarm/<run-id>)")
      .option("--json", "machine-readable output on stdout");

  common(program.command("plan").argument("[repo]", "repository", ".").description("show the tasks a run would do, their dependencies and the skipped files"))
    .action((repo: string, flags: CommonFlags) => handlers.plan(repo, flags));

  common(program.command("estimate").argument("[repo]", "repository", ".").description("predict tokens, cost and time of a run; sends no request (unless --sample)"))
    .option(
      "--sample <n>",
      "run n representative tasks for real (needs the API key; they are billed), then extrapolate the whole plan as a low–expected–high range; swarm run --from-sample <run-id> reuses their answers",
      parsePositiveInt("--sample"),
    )
    .action((repo: string, flags: EstimateFlags) => handlers.estimate(repo, flags));

  const runFlags = (cmd: Command) =>
    common(cmd)
      .option("--max-cost-usd <usd>", "stop starting requests before this many dollars are spent", parseUSD)
      .addOption(new Option("--max-failure-rate <rate>", "share of tasks that may fail and still exit 0 (0..1, default 0)").argParser(parseRate));

  runFlags(program.command("run").argument("[repo]", "repository", ".").description("run the agents and write a branch"))
    .option("--dry-run", "estimate only (same as swarm estimate)")
    .option("--resume <run-id>", "continue an interrupted run from its journal")
    .addOption(new Option("--from-sample <run-id>", "continue the run an `estimate --sample` started: its answers are reused, not paid for again (its instruction and options apply)").conflicts(["resume", "dryRun"]))
    .action((repo: string, flags: RunFlags) => {
      if (flags.dryRun) return handlers.estimate(repo, flags);
      const resumeId = flags.resume ?? flags.fromSample;
      return resumeId ? handlers.resume(resumeId, repo, flags) : handlers.run(repo, flags);
    });

  runFlags(program.command("resume").argument("<run-id>", "run to continue").argument("[repo]", "repository", ".").description("continue an interrupted run; finished requests are not sent again"))
    .action((runId: string, repo: string, flags: RunFlags) => handlers.resume(runId, repo, flags));

  program
    .command("report")
    .argument("[run-id]", "run to show (default: the latest)")
    .option("-C, --repo <path>", "repository", ".")
    .option("--json", "print report.json")
    .description("show a finished run's report")
    .action((runId: string | undefined, flags: { repo: string; json?: boolean }) => handlers.report(runId, flags.repo, flags));

  program
    .command("validate")
    .argument("[repo]", "repository", ".")
    .option("-c, --config <file>", "config file")
    .option("--json", "machine-readable output")
    .description("check imports of the working tree against HEAD; exit 1 when the changes broke something")
    .action((repo: string, flags: { json?: boolean; config?: string }) => handlers.validate(repo, flags));

  return program;
}
