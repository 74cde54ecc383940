import { Command, Option } from "commander";
import { CONFIG_FILE, DEFAULTS, type ConfigOverrides } from "../config/index.js";
import { parseInstruction, parsePositiveInt, parseRate, parseRoles, parseUSD } from "./flags.js";

export interface CommonFlags {
  /** The flags that set a config key, by that key. */
  overrides: ConfigOverrides;
  config?: string;
  branch?: string;
  json?: boolean;
  /** Send the key over plain http:// to a host that is not this machine. */
  allowInsecureHttp?: boolean;
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
}

export interface Handlers {
  plan(repo: string, flags: CommonFlags): Promise<void>;
  estimate(repo: string, flags: EstimateFlags): Promise<void>;
  run(repo: string, flags: RunFlags): Promise<void>;
  resume(runId: string, repo: string, flags: RunFlags): Promise<void>;
  report(runId: string | undefined, repo: string, flags: { json?: boolean }): Promise<void>;
  validate(repo: string, flags: { json?: boolean; config?: string }): Promise<void>;
}

/** An option of plan, estimate, run and resume; `key` is the config key it sets (the flag wins over the file). */
interface SharedOption {
  flags: string;
  help: string;
  parse?: (value: string) => unknown;
  key?: keyof ConfigOverrides;
}

// A new flag that sets a config key is one row here (plus the key in config/schema.ts). Rows are in help order.
const COMMON_OPTIONS: readonly SharedOption[] = [
  { flags: "-i, --instruction <text>", key: "instruction", help: 'what to change, e.g. "Convert callbacks to async/await"', parse: parseInstruction },
  { flags: "-c, --config <file>", help: `config file (default: <repo>/${CONFIG_FILE}, then built-in defaults)` },
  { flags: "--roles <list>", key: "roles", help: "comma-separated roles: refactor,test,doc", parse: parseRoles },
  { flags: "--concurrency <n>", key: "concurrency", help: `requests in flight at most (default ${DEFAULTS.concurrency})`, parse: parsePositiveInt("--concurrency") },
  { flags: "--model <name>", key: "model", help: `model for every role without its own (default ${DEFAULTS.model})` },
  { flags: "--base-url <url>", key: "baseURL", help: `OpenAI-compatible endpoint (default ${DEFAULTS.baseURL})` },
  { flags: "--allow-insecure-http", help: "allow a plain http:// endpoint that is not on this machine (the key travels in clear)" },
  { flags: "--branch <name>", help: "branch to write (default swarm/<run-id>)" },
  { flags: "--json", help: "machine-readable output on stdout" },
];

const RUN_OPTIONS: readonly SharedOption[] = [
  { flags: "--max-cost-usd <usd>", key: "maxCostUSD", help: "stop starting requests before this many dollars are spent", parse: parseUSD },
  { flags: "--max-failure-rate <rate>", key: "maxFailureRate", help: `share of tasks that may fail and still exit 0 (0..1, default ${DEFAULTS.maxFailureRate})`, parse: parseRate },
];

function addOptions(cmd: Command, rows: readonly SharedOption[]): Command {
  for (const row of rows) {
    const option = new Option(row.flags, row.help);
    cmd.addOption(row.parse ? option.argParser(row.parse) : option);
  }
  return cmd;
}

/** Commander's parsed options with the config-setting ones gathered under `overrides`. */
function withOverrides<T>(opts: Record<string, unknown>): T {
  const flags: Record<string, unknown> = { ...opts };
  const overrides: Record<string, unknown> = {};
  for (const row of [...COMMON_OPTIONS, ...RUN_OPTIONS]) {
    if (row.key === undefined) continue;
    const attribute = new Option(row.flags).attributeName();
    if (flags[attribute] !== undefined) overrides[row.key] = flags[attribute];
    delete flags[attribute];
  }
  return { ...flags, overrides } as T;
}

// Commander definitions only; what each command does lives in cli/commands/.
export function buildProgram(handlers: Handlers, version: string): Command {
  const program = new Command("swarm")
    .description("Refactor a whole codebase with many LLM agents at once, and get a git branch to review.")
    .version(version)
    .showHelpAfterError("(run swarm --help for usage)")
    .configureOutput({ outputError: (text, write) => write(`swarm: ${text.replace(/^error: /, "")}`) });

  const common = (cmd: Command) => addOptions(cmd, COMMON_OPTIONS);

  common(program.command("plan").argument("[repo]", "repository", ".").description("show the tasks a run would do, their dependencies and the skipped files"))
    .action((repo: string, opts: Record<string, unknown>) => handlers.plan(repo, withOverrides<CommonFlags>(opts)));

  common(program.command("estimate").argument("[repo]", "repository", ".").description("predict tokens, cost and time of a run; sends no request (unless --sample)"))
    .option(
      "--sample <n>",
      "run n representative tasks for real (needs the API key; they are billed), then extrapolate the whole plan as a low–expected–high range; swarm run --from-sample <run-id> reuses their answers",
      parsePositiveInt("--sample"),
    )
    .action((repo: string, opts: Record<string, unknown>) => handlers.estimate(repo, withOverrides<EstimateFlags>(opts)));

  const runFlags = (cmd: Command) => addOptions(common(cmd), RUN_OPTIONS);

  runFlags(program.command("run").argument("[repo]", "repository", ".").description("run the agents and write a branch"))
    .option("--dry-run", "estimate only (same as swarm estimate)")
    .option("--resume <run-id>", "continue an interrupted run from its journal")
    .addOption(new Option("--from-sample <run-id>", "continue the run an `estimate --sample` started: its answers are reused, not paid for again (its instruction and options apply)").conflicts(["resume", "dryRun"]))
    .action((repo: string, opts: Record<string, unknown>) => {
      const flags = withOverrides<RunFlags>(opts);
      if (flags.dryRun) return handlers.estimate(repo, flags);
      const resumeId = flags.resume ?? flags.fromSample;
      return resumeId ? handlers.resume(resumeId, repo, flags) : handlers.run(repo, flags);
    });

  runFlags(program.command("resume").argument("<run-id>", "run to continue").argument("[repo]", "repository", ".").description("continue an interrupted run; finished requests are not sent again"))
    .action((runId: string, repo: string, opts: Record<string, unknown>) => handlers.resume(runId, repo, withOverrides<RunFlags>(opts)));

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
