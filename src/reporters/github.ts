import { appendFile as fsAppendFile } from "node:fs/promises";
import type { RunSummary, SwarmEvent } from "../events/index.js";
import { describeStoppedBy, renderStepSummaryFacts, type ReportCommit, type StepSummaryFacts } from "../report/index.js";
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
  /** GitHub shows at most 10 error annotations per step; the rest are folded into one. @default 10 */
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
  const maxAnnotations = options.maxAnnotations ?? 10;
  const print = (line: string) => options.out.write(line + "\n");

  const roleByTask = new Map<string, string>();
  const commits: ReportCommit[] = [];
  let validation: StepSummaryFacts["validation"] = null;
  let pending: Promise<void> = Promise.resolve();

  const finish = (summary: RunSummary) => {
    const roleOf = (taskId: string) => roleByTask.get(taskId) ?? taskId.split(":")[0];
    const failed = summary.failed;
    const shown = failed.length > maxAnnotations ? failed.slice(0, maxAnnotations - 1) : failed;
    for (const f of shown) {
      print(annotation("error", { file: f.output, title: `swarm ${roleOf(f.taskId)} failed` }, `${f.error.code}: ${f.error.message}`));
    }
    if (shown.length < failed.length) {
      print(annotation("error", { title: "swarm" }, `${failed.length - shown.length} more tasks failed; see the step summary`));
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
      reportMd: summary.reportMd,
      resumeHint: summary.resumeHint ?? null,
      metrics: summary.metrics ?? null,
    };
    pending = appendFile(path, renderStepSummaryFacts(facts) + "\n").catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      print(annotation("warning", { title: "swarm" }, `could not write the step summary: ${message}`));
    });
  };

  return {
    onEvent(event: SwarmEvent) {
      switch (event.type) {
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
