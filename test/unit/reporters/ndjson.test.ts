import { describe, expect, it } from "vitest";
import { createNdjsonReporter } from "../../../src/reporters/ndjson.js";
import { assertSwarmEvent, collect, loadEventFixture, recorder } from "../../support/events.js";

describe("ndjson reporter", () => {
  it("writes every event as one JSON line, nothing else", async () => {
    const events = loadEventFixture("sample-run");
    const sink = collect();
    const reporter = createNdjsonReporter({ out: sink.out });
    for (const event of events) reporter.onEvent(event);
    await reporter.close();

    expect(sink.text().endsWith("\n")).toBe(true);
    const lines = sink.text().trimEnd().split("\n");
    expect(lines).toHaveLength(events.length);
    lines.forEach((line, i) => {
      const parsed: unknown = JSON.parse(line);
      assertSwarmEvent(parsed, `line ${i + 1}`);
      expect(parsed).toEqual(events[i]);
    });
    expect(JSON.parse(lines.at(-1)!).type).toBe("run.finished");
  });

  it("keeps messages with newlines and separators on one line", () => {
    const at = recorder("run-1").emit;
    const sink = collect();
    createNdjsonReporter({ out: sink.out }).onEvent(at(1, { type: "run.warning", message: "a\nb\r\nc\u2028d" }));
    expect(sink.lines()).toHaveLength(1);
    expect(JSON.parse(sink.lines()[0]).message).toBe("a\nb\r\nc\u2028d");
  });
});
