import { describe, expect, it } from "vitest";
import { EventBus } from "../../../src/events/bus.js";
import type { SwarmEvent } from "../../../src/events/types.js";

describe("EventBus", () => {
  it("turns a throwing subscriber off and tells the others once, after the event that broke it", () => {
    const bus = new EventBus("run-1", () => 0);
    const seen: SwarmEvent[] = [];
    let brokenCalls = 0;
    bus.subscribe(() => {
      brokenCalls++;
      throw new TypeError("cannot read properties of undefined");
    });
    bus.subscribe((event) => seen.push(event));

    bus.emit({ type: "run.draining", reason: "interrupt" });
    bus.emit({ type: "run.draining", reason: "budget" });

    expect(brokenCalls).toBe(1);
    expect(seen.map((e) => [e.seq, e.type])).toEqual([
      [1, "run.draining"],
      [2, "run.warning"],
      [3, "run.draining"],
    ]);
    const warnings = seen.filter((e) => e.type === "run.warning");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ message: expect.stringContaining("TypeError: cannot read properties of undefined") });
  });

  it("a subscriber that throws on the warning itself is turned off too, and the run goes on", () => {
    const bus = new EventBus("run-1", () => 0);
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error("first");
    });
    bus.subscribe((event) => {
      if (event.type === "run.warning") throw new Error("second");
    });
    bus.subscribe((event) => seen.push(event.type));

    expect(() => bus.emit({ type: "run.draining", reason: "interrupt" })).not.toThrow();
    expect(seen).toEqual(["run.draining", "run.warning", "run.warning"]);
  });
});
