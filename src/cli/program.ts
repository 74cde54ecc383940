import { Command, Option } from "commander";
import { CONFIG_FILE, DEFAULTS, type ConfigOverrides } from "../config/index.js";
import { parseInstruction, parsePositiveInt, parseRate, parseReporter, parseRoles, parseShard, parseUSD } from "./flags.js";
import type { ReporterName } from "./select-reporters.js";

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
  /** Show each shard's tasks, cost and wall time for a run split n ways. */
  shards?: number;
}

export interface RunFlags extends CommonFlags {
  /** Continue the run directory an `estimate --sample` left, reusing its answers. */
  fromSample?: string;
  dryRun?: boolean;
  resume?: string;
  /** `--shard k/n`: run shard k's part of the plan. */
  shard?: { index: number; count: number };
  /** A shard run's result file, for `swarm merge`. */
  bundleOut?: string;
  /** `--reporter`, repeatable (issue 17). */
  reporter?: ReporterName[];
}

export interface MergeFlags extends RunFlags {
  repo: string;
  allowPartial?: boolean;
}

export interface Handlers {
  plan(repo: string, flags: CommonFlags): Promise<void>;
  estimate(repo: string, flags: EstimateFlags): Promise<void>;
  run(repo: string, flags: RunFlags): Promise<void>;
  resume(runId: string, repo: string, flags: RunFlags): Promise<void>;
  report(runId: string | undefined, repo: string, flags: { json?: boolean }): Promise<void>;
  validate(repo: string, flags: { json?: boolean; config?: string }): Promise<void>;
  merge(bundles: string[], flags: MergeFlags): Promise<void>;
}

type CommandName = "plan" | "estimate" | "run" | "resume" | "merge";

/** One flag: the commands that list it, and `key`, the config key it sets (the flag wins over the file). */
interface OptionRow {
  flags: string;
  help: string;
  on: readonly CommandName[];
  /** `previous` is the value so far, for a repeatable flag. */
  parse?: (value: string, previous: never) => unknown;
  key?: keyof ConfigOverrides;
  conflicts?: string[];
  defaultValue?: string;
  /** Accepted there but not listed in its help: the command keeps what the flag sets (a resume keeps its run's plan). */
  unlistedOn?: readonly CommandName[];
}

const ALL: readonly CommandName[] = ["plan", "estimate", "run", "resume", "merge"];
const SENDING: readonly CommandName[] = ["estimate", "run", "resume", "merge"];
const WRITING: readonly CommandName[] = ["run", "resume", "merge"];

// A new flag is one row here (plus its key in config/schema.ts when it sets one); `on` names the commands that
// use it, so each command's --help lists only its own flags. Rows are in help order.
const OPTIONS: readonly OptionRow[] = [
  { flags: "-i, --instruction <text>", on: ALL, unlistedOn: ["resume"], key: "instruction", help: 'what to change, e.g. "Convert callbacks to async/await"', parse: parseInstruction },
  { flags: "-c, --config <file>", on: ALL, unlistedOn: ["resume"], help: `config file (default: <repo>/${CONFIG_FILE}, then built-in defaults)` },
  { flags: "--roles <list>", on: ALL, unlistedOn: ["resume"], key: "roles", help: "comma-separated roles: refactor,test,doc", parse: parseRoles },
  {
    flags: "--codemod <spec>",
    on: ["estimate", "run", "merge"],
    key: "codemod",
    help: "run a codemod over the planned files first, only what it hands off goes to the model: a .ts/.js/.mjs module whose default export is (file, ctx) => void, or rename-export:<file>#<old>=<new>, or move-file:<from>=<to>",
  },
  { flags: "--concurrency <n>", on: SENDING, key: "concurrency", help: `requests in flight at most (default ${DEFAULTS.concurrency})`, parse: parsePositiveInt("--concurrency") },
  { flags: "--model <name>", on: ALL, key: "model", help: `model for every role without its own (default ${DEFAULTS.model})` },
  { flags: "--base-url <url>", on: SENDING, key: "baseURL", help: `OpenAI-compatible endpoint (default ${DEFAULTS.baseURL})` },
  { flags: "--allow-insecure-http", on: SENDING, help: "allow a plain http:// endpoint that is not on this machine (the key travels in clear)" },
  { flags: "--branch <name>", on: WRITING, unlistedOn: ["resume"], help: "branch to write (default swarm/<run-id>)" },
  { flags: "--json", on: ALL, help: "machine-readable output on stdout" },
  {
    flags: "--reporter <name>",
    on: WRITING,
    help: "output: default|plain|dots|failures|json|github; repeatable (default: the dashboard on a terminal, a line per 5% and every failure under CI)",
    parse: parseReporter,
  },
  { flags: "--max-cost-usd <usd>", on: WRITING, key: "maxCostUSD", help: "stop starting requests before this many dollars are spent", parse: parseUSD },
  { flags: "--max-failure-rate <rate>", on: WRITING, key: "maxFailureRate", help: `share of tasks that may fail and still exit 0 (0..1, default ${DEFAULTS.maxFailureRate})`, parse: parseRate },
  {
    flags: "--sample <n>",
    on: ["estimate"],
    help: "run n representative tasks for real (needs the API key; they are billed), then extrapolate the whole plan as a low–expected–high range; swarm run --from-sample <run-id> reuses their answers",
    parse: parsePositiveInt("--sample"),
  },
  { flags: "--shards <n>", on: ["estimate"], help: "per-shard tasks, cost and expected wall time of a run split n ways (swarm run --shard k/n)", parse: parsePositiveInt("--shards") },
  { flags: "--dry-run", on: ["run"], help: "estimate only (same as swarm estimate)" },
  { flags: "--resume <run-id>", on: ["run"], help: "continue an interrupted run from its journal" },
  { flags: "--shard <k/n>", on: ["run"], help: "run shard k of n: a deterministic part of the plan (same HEAD, config and instruction on every shard); swarm merge joins them", parse: parseShard },
  { flags: "--bundle-out <file>", on: ["run"], help: "with --shard: write the shard's branch, journal and report to this file for swarm merge" },
  {
    flags: "--from-sample <run-id>",
    on: ["run"],
    help: "continue the run an `estimate --sample` started: its answers are reused, not paid for again (its instruction and options apply)",
    conflicts: ["resume", "dryRun"],
  },
  { flags: "-C, --repo <path>", on: ["merge"], help: "repository", defaultValue: "." },
  { flags: "--allow-partial", on: ["merge"], help: "merge the shards given even when some are missing; the report names them" },
];

const EXAMPLES: Record<CommandName, readonly string[]> = {
  plan: ["swarm plan . --roles refactor,test", "swarm plan ./packages/api --json > plan.json"],
  estimate: [
    'swarm estimate . -i "Convert callbacks to async/await"',
    "swarm estimate . --model gpt-4o-mini --concurrency 16",
    "swarm estimate . --sample 5   # runs 5 tasks for real (billed)",
  ],
  run: [
    'swarm run . -i "Convert callbacks to async/await" --max-cost-usd 5',
    "swarm run ./src --roles refactor,test --branch swarm/async",
    "swarm run . --shard 1/4 --bundle-out shard-1.bundle",
  ],
  resume: ["swarm resume <run-id>", "swarm resume <run-id> ./repo --max-cost-usd 10"],
  merge: ["swarm merge shard-*.bundle", "swarm merge -C ./repo shard-1.bundle shard-2.bundle --allow-partial"],
};

/** Adds the rows `name` uses, and its examples after the help. */
function addOptions(cmd: Command, name: CommandName): Command {
  for (const row of OPTIONS) {
    if (!row.on.includes(name)) continue;
    let option = new Option(row.flags, row.help);
    if (row.parse) option = option.argParser(row.parse as (value: string, previous: unknown) => unknown);
    if (row.conflicts) option = option.conflicts(row.conflicts);
    if (row.defaultValue !== undefined) option = option.default(row.defaultValue);
    if (row.unlistedOn?.includes(name)) option = option.hideHelp();
    cmd.addOption(option);
  }
  return cmd.addHelpText("after", `\nExamples:\n${EXAMPLES[name].map((line) => `  $ ${line}`).join("\n")}\n`);
}

/** Commander's parsed options with the config-setting ones gathered under `overrides`. */
function withOverrides<T>(opts: Record<string, unknown>): T {
  const flags: Record<string, unknown> = { ...opts };
  const overrides: Record<string, unknown> = {};
  for (const row of OPTIONS) {
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

  addOptions(program.command("plan").argument("[repo]", "repository", ".").description("show the tasks a run would do, their dependencies and the skipped files"), "plan")
    .action((repo: string, opts: Record<string, unknown>) => handlers.plan(repo, withOverrides<CommonFlags>(opts)));

  addOptions(program.command("estimate").argument("[repo]", "repository", ".").description("predict tokens, cost and time of a run; sends no request (unless --sample)"), "estimate")
    .action((repo: string, opts: Record<string, unknown>) => handlers.estimate(repo, withOverrides<EstimateFlags>(opts)));

  addOptions(program.command("run").argument("[repo]", "repository", ".").description("run the agents and write a branch"), "run")
    .action((repo: string, opts: Record<string, unknown>) => {
      const flags = withOverrides<RunFlags>(opts);
      if (flags.dryRun) return handlers.estimate(repo, flags);
      const resumeId = flags.resume ?? flags.fromSample;
      return resumeId ? handlers.resume(resumeId, repo, flags) : handlers.run(repo, flags);
    });

  addOptions(program.command("resume").argument("<run-id>", "run to continue").argument("[repo]", "repository", ".").description("continue an interrupted run; finished requests are not sent again"), "resume")
    .action((runId: string, repo: string, opts: Record<string, unknown>) => handlers.resume(runId, repo, withOverrides<RunFlags>(opts)));

  addOptions(program.command("merge").argument("<shard-files...>", "the files swarm run --shard k/n --bundle-out wrote").description("join the shards' results into one validated branch on HEAD (repairs need the API key)"), "merge")
    .action((files: string[], opts: Record<string, unknown>) => handlers.merge(files, withOverrides<MergeFlags>(opts)));

  program
    .command("report")
    .argument("[run-id]", "run to show (default: the latest)")
    .option("-C, --repo <path>", "repository", ".")
    .option("--json", "print report.json")
    .description("show a finished run's report")
    .addHelpText("after", "\nExamples:\n  $ swarm report\n  $ swarm report <run-id> -C ./repo --json\n")
    .action((runId: string | undefined, flags: { repo: string; json?: boolean }) => handlers.report(runId, flags.repo, flags));

  program
    .command("validate")
    .argument("[repo]", "repository", ".")
    .option("-c, --config <file>", "config file")
    .option("--json", "machine-readable output")
    .description("check imports of the working tree against HEAD; exit 1 when the changes broke something")
    .addHelpText("after", "\nExamples:\n  $ swarm validate\n  $ swarm validate ./repo --json\n")
    .action((repo: string, flags: { json?: boolean; config?: string }) => handlers.validate(repo, flags));

  return program;
}
