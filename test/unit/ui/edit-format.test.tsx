import { cleanup, render } from "ink-testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { Dashboard } from "../../../src/ui/Dashboard.js";
import { reduceAll } from "../../../src/ui/state.js";
import { recorder, stripAnsi } from "../../support/events.js";

afterEach(() => cleanup());

describe("the dashboard and answer formats", () => {
  it("marks an agent whose step asks for SEARCH/REPLACE edits; a whole-file step is not marked", () => {
    const run = recorder();
    run.start(0, { tasks: 2, roles: ["refactor"], concurrency: 4 });
    run.emit(100, { type: "task.started", taskId: "refactor:src/big.ts", role: "refactor", file: "src/big.ts" });
    run.emit(100, { type: "step.started", taskId: "refactor:src/big.ts", kind: "refactor", attempt: 1, model: "kimi-k2.6", format: "search-replace" });
    run.emit(200, { type: "task.started", taskId: "refactor:src/small.ts", role: "refactor", file: "src/small.ts" });
    run.emit(200, { type: "step.started", taskId: "refactor:src/small.ts", kind: "refactor", attempt: 1, model: "kimi-k2.6" });
    const state = reduceAll(run.events);
    const { lastFrame } = render(<Dashboard {...state} now={5_000} rows={30} columns={100} />);
    const rows = stripAnsi(lastFrame()).split("\n");
    expect(rows.find((row) => row.includes("src/big.ts"))).toContain("attempt 1 · edits");
    expect(rows.find((row) => row.includes("src/small.ts"))).not.toContain("edits");
  });
});
