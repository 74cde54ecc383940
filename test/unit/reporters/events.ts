import type { RunSummary, SwarmEvent, SwarmEventInput } from "../../../src/events/types.js";

/** Stamps hand-written events like the EventBus does, with an explicit event time. */
export function stamper(runId = "run-1") {
  let seq = 0;
  return (t: number, input: SwarmEventInput): SwarmEvent => ({ ...input, seq: ++seq, t, runId }) as SwarmEvent;
}

export function collect() {
  let text = "";
  return {
    out: { write: (s: string) => (text += s) },
    text: () => text,
    lines: () => text.split("\n").filter((l) => l !== ""),
  };
}

export function summary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    runId: "run-1",
    repo: "/repo",
    branch: "swarm/run-1",
    runDir: "/repo/.swarm/runs/run-1",
    reportJson: "/repo/.swarm/runs/run-1/report.json",
    reportMd: "/repo/.swarm/runs/run-1/report.md",
    stoppedBy: "completed",
    counts: { byRole: { refactor: { total: 2, succeeded: 1, failed: 1, notRun: 0 } }, total: 2, succeeded: 1, failed: 1, notRun: 0 },
    tokens: { inputTokens: 1000, cachedInputTokens: 500, outputTokens: 300 },
    costUSD: 0.01,
    estimatedCostUSD: 0.02,
    durationMs: 12_000,
    failed: [{ taskId: "refactor:src/b.js", file: "src/b.js", output: "src/b.js", error: { code: "timeout", message: "no answer in 120 s" } }],
    exitCode: 1,
    ...over,
  };
}
