import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { phaseStatus } from "../../../src/cli/commands/phase-status.js";

// Issue 17: plan, estimate and validate show their phase on a terminal's stderr from the first 100 ms.
function terminal(isTTY = true) {
  const writes: string[] = [];
  return { stream: { isTTY, write: (s: string) => writes.push(s) }, writes };
}

beforeEach(() => void vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] }));
afterEach(() => void vi.useRealTimers());

describe("phaseStatus", () => {
  it("rewrites one stderr row in place with the elapsed time, and clears it before the result", () => {
    const { stream, writes } = terminal();
    let t = 60;
    const status = phaseStatus(stream, {}, () => t)!;
    status.phase("scanning");
    expect(writes).toEqual(["\r\x1b[Kswarm: scanning files… 60 ms"]);
    t = 1300;
    vi.advanceTimersByTime(250);
    expect(writes.at(-1)).toBe("\r\x1b[Kswarm: scanning files… 1.3 s");
    status.phase("estimating", 900);
    // Progress from inside a loop that holds the event loop: drawn from the call, at most 4 times a second.
    t = 1400;
    status.progress(10, 900);
    expect(writes.at(-1)).toBe("\r\x1b[Kswarm: estimating 900 tasks… 1.3 s");
    t = 1600;
    status.progress(450, 900);
    expect(writes.at(-1)).toBe("\r\x1b[Kswarm: estimating 900 tasks (450 of 900)… 1.6 s");
    status.stop();
    expect(writes.at(-1)).toBe("\r\x1b[K");
    const count = writes.length;
    vi.advanceTimersByTime(1000);
    expect(writes.length).toBe(count);
  });

  it("writes nothing in a pipe or under CI: stderr stays for warnings", () => {
    expect(phaseStatus(terminal(false).stream, {})).toBeNull();
    expect(phaseStatus(terminal(true).stream, { CI: "true" })).toBeNull();
  });
});
