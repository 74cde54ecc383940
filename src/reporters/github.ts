import { appendFile as fsAppendFile } from "node:fs/promises";
import type { RunPhase, RunSummary, SwarmEvent } from "../events/index.js";
import { describePhase, describeStoppedBy, renderStepSummaryFacts, reviewHandOff, type ReportCommit, type StepSummaryFacts } from "../report/index.js";
import type { Reporter, TextSink } from "./types.js";

export interface GithubReporterOptions {
  env: Record<string, string | undefined>;
  /**
   * Where workflow commands go. The runner reads them from stdout and stderr alike; in `--json` mode
   * pass stderr so stdout stays NDJSON only.
   */
  out: TextSink;
  /** @default fs.promises.appendFile */
  appendFile?: (path: string, text: string) => Promise<void>;
  /**
   * Root causes annotated one by one before the rest are folded into one annotation. Every root cause by
   * default (issue 17): GitHub lists 10 per step in the checks UI, but all of them on the files' diff.
   * @default Infinity
   */
  maxAnnotations?: number;
}

/**
 * GitHub Actions extras beside the main reporter: an `::error` annotation per failed task and the
 * step summary. The summary is rendered from the RunSummary plus facts collected from earlier
 * events rather than by reading report.json back, so it works whatever order the pipeline writes
 * the report and emits `run.finished` in, and needs no file other than GITHUB_STEP_SUMMARY.
 */
export function createGithubReporter(options: GithubReporterOptions): Reporter {
  const appendFile = options.appendFile ?? ((path: string, text: string) => fsAppendFile(path, text, "utf8"));
  const maxAnnotations = options.maxAnnotations ?? Number.POSITIVE_INFINITY;
  const print = (line: string) => options.out.write(line + "\n");

  const roleByTask = new Map<string, string>();
  const commits: ReportCommit[] = [];
  let validation: StepSummaryFacts["validation"] = null;
  let pending: Promise<void> = Promise.resolve();
  let isGroupOpen = false;
  let groupPhase: RunPhase | null = null;
  const endGroup = () => {
    if (isGroupOpen) print("::endgroup::");
    isGroupOpen = false;
  };

  const finish = (summary: RunSummary) => {
    const roleOf = (taskId: string) => roleByTask.get(taskId) ?? taskId.split(":")[0];
    endGroup();
    const failed = summary.failed;
    const { roots, dependents } = rootCauses(failed);
    const shown = roots.length > maxAnnotations ? roots.slice(0, maxAnnotations - 1) : roots;
    for (const f of shown) {
      const blocked = dependents.get(f.taskId) ?? [];
      const also = blocked.length === 0 ? "" : `\n${blocked.length} dependent ${blocked.length === 1 ? "task" : "tasks"} not done: ${blocked.slice(0, 10).join(", ")}${blocked.length > 10 ? ", ..." : ""}`;
      print(annotation("error", { file: f.output, title: `swarm ${roleOf(f.taskId)} failed` }, `${f.error.code}: ${f.error.message}${also}`));
    }
    if (shown.length < roots.length) {
      print(annotation("error", { title: "swarm" }, `${roots.length - shown.length} more tasks failed; see the step summary`));
    }
    if (summary.stoppedBy !== "completed") {
      const resume = summary.resumeHint ? `; resume with: ${summary.resumeHint}` : "";
      print(annotation("warning", { title: "swarm" }, `run ${describeStoppedBy(summary.stoppedBy, summary.budget ?? null)}${resume}`));
    }

    const path = options.env.GITHUB_STEP_SUMMARY;
    if (!path) return;
    const facts: StepSummaryFacts = {
      runId: summary.runId,
      branch: summary.branch,
      counts: summary.counts,
      tokens: {
        input: summary.tokens.inputTokens,
        cachedInput: summary.tokens.cachedInputTokens,
        output: summary.tokens.outputTokens,
      },
      costUSD: summary.costUSD,
      estimatedCostUSD: summary.estimatedCostUSD,
      durationMs: summary.durationMs,
      stoppedBy: summary.stoppedBy,
      budget: summary.budget ?? null,
      failed: failed.map((f) => ({ taskId: f.taskId, role: roleOf(f.taskId), output: f.output, error: f.error })),
      notRunByReason: [],
      validation,
      commits,
      // A path on the runner means nothing to the reader of the summary (issue 17); the branch and compare command do.
      reportMd: null,
      resumeHint: summary.resumeHint ?? null,
      metrics: summary.metrics ?? null,
    };
    const review = reviewHandOff(summary).slice(0, 2);
    const compare = review.length === 0 ? "" : `\nReview the branch \`${summary.branch}\`:\n\n\`\`\`sh\n${review.join("\n")}\n\`\`\`\n`;
    pending = appendFile(path, renderStepSummaryFacts(facts) + compare + "\n").catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      print(annotation("warning", { title: "swarm" }, `could not write the step summary: ${message}`));
    });
  };

  return {
    onEvent(event: SwarmEvent) {
      switch (event.type) {
        case "run.phase":
          // A long phase is announced again for terminals; one group per phase.
          if (event.phase === groupPhase) break;
          groupPhase = event.phase;
          endGroup();
          print(`::group::swarm: ${describePhase(event.phase, event.count)}`);
          isGroupOpen = true;
          break;
        case "task.failed":
          roleByTask.set(event.taskId, event.role);
          break;
        case "validate.finished":
          validation = { problems: event.problems, repaired: event.repaired, reverted: event.reverted };
          break;
        case "commit.created":
          commits.push({ role: event.role, sha: event.sha, files: [...event.files] });
          break;
        case "run.finished":
          finish(event.summary);
          break;
      }
    },
    close: () => pending,
  };
}

type Failure = RunSummary["failed"][number];

/**
 * Failures split into root causes and, per root, the tasks that did not run because of it. The engine
 * names the failed prerequisite ("<task> failed"); a chain is followed down to the task that failed itself.
 */
function rootCauses(failed: Failure[]): { roots: Failure[]; dependents: Map<string, string[]> } {
  const byId = new Map(failed.map((f) => [f.taskId as string, f]));
  const prerequisiteOf = (f: Failure): string | undefined => {
    if (f.error.code !== "dependency-failed") return undefined;
    const named = /(?:prerequisite )?(\S+) (?:failed|did not run)$/.exec(f.error.message)?.[1];
    return named !== undefined && byId.has(named) ? named : undefined;
  };
  const roots: Failure[] = [];
  const dependents = new Map<string, string[]>();
  for (const f of failed) {
    let root: string | undefined = prerequisiteOf(f);
    if (root === undefined) {
      roots.push(f);
      continue;
    }
    for (let hops = 0; hops < failed.length; hops++) {
      const next = prerequisiteOf(byId.get(root)!);
      if (next === undefined) break;
      root = next;
    }
    dependents.set(root, [...(dependents.get(root) ?? []), f.output]);
  }
  return { roots, dependents };
}

/** Escaping from @actions/core `command.ts`: data escapes % CR LF; properties also `:` and `,`. */
export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function annotation(
  level: "error" | "warning" | "notice",
  properties: Record<string, string | undefined>,
  message: string,
): string {
  const props = Object.entries(properties)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${escapeProperty(value)}`)
    .join(",");
  return `::${level}${props ? ` ${props}` : ""}::${escapeData(message)}`;
}
