import { describe, expect, it } from "vitest";
import { selectReporters, type ReporterName } from "../../../src/cli/select-reporters.js";
import { collect, recorder, summaryOf } from "../../support/events.js";

/** Runs a small run through the reporters chosen and returns what reached stdout and stderr. */
async function outputOf(o: { reporters?: ReporterName[]; json?: boolean; env?: NodeJS.ProcessEnv; isTTY?: boolean }) {
  const stdout = collect();
  const stderr = collect();
  const reporters = await selectReporters({
    json: o.json === true,
    reporters: o.reporters,
    stdout: Object.assign(stdout.out, { isTTY: o.isTTY ?? false }) as never,
    stderr: stderr.out,
    env: o.env ?? {},
  });
  const run = recorder();
  run.emit(0, { type: "run.phase", phase: "scanning", elapsedMs: 30 });
  run.start(10, { tasks: 20, concurrency: 4 });
  for (let i = 0; i < 20; i++) {
    if (i === 3) run.fail(20 + i, "refactor", `src/f${i}.ts`, "timeout", "no answer", 3);
    else run.finish(20 + i, "refactor", `src/f${i}.ts`);
  }
  run.emit(100, { type: "run.finished", summary: summaryOf() });
  for (const event of run.events) for (const r of reporters) r.onEvent(event);
  for (const r of reporters) await r.close();
  return { stdout: stdout.lines(), stderr: stderr.lines() };
}

const taskLines = (lines: string[]) => lines.filter((l) => l.startsWith("ok "));

describe("selectReporters (--reporter, issue 17)", () => {
  it("default in a pipe outside CI: a line per task", async () => {
    const { stdout } = await outputOf({});
    expect(taskLines(stdout)).toHaveLength(19);
  });

  it("default under CI=true: a line per 5% and every failure, no line per task", async () => {
    const { stdout } = await outputOf({ env: { CI: "true" } });
    expect(taskLines(stdout)).toEqual([]);
    expect(stdout.filter((l) => l.startsWith("FAIL "))).toHaveLength(1);
    expect(stdout.filter((l) => l.startsWith("[ "))).toHaveLength(20);
  });

  it("default under GITHUB_ACTIONS=true adds groups and annotations", async () => {
    const { stdout } = await outputOf({ env: { CI: "true", GITHUB_ACTIONS: "true" } });
    expect(taskLines(stdout)).toEqual([]);
    expect(stdout).toContain("::group::swarm: scanning files");
    expect(stdout.some((l) => l.startsWith("::error "))).toBe(true);
  });

  it("under GITHUB_ACTIONS=true a phase's line sits inside its own group, not the previous one", async () => {
    const { stdout } = await outputOf({ env: { CI: "true", GITHUB_ACTIONS: "true" } });
    const phaseAt = stdout.findIndex((l) => l.startsWith("phase: scanning files"));
    expect(phaseAt).toBeGreaterThan(0);
    expect(stdout.slice(0, phaseAt).filter((l) => l.startsWith("::group::"))).toEqual(["::group::swarm: scanning files"]);
    // The end summary and the annotations follow the closed group, so they are not folded away.
    const endAt = stdout.lastIndexOf("::endgroup::");
    expect(endAt).toBeLessThan(stdout.findIndex((l) => l.startsWith("::error ")));
  });

  it("plain: a line per task even under CI", async () => {
    const { stdout } = await outputOf({ reporters: ["plain"], env: { CI: "true" } });
    expect(taskLines(stdout)).toHaveLength(19);
  });

  it("dots", async () => {
    const { stdout } = await outputOf({ reporters: ["dots"] });
    expect(stdout).toContain("...F................");
  });

  it("failures", async () => {
    const { stdout } = await outputOf({ reporters: ["failures"] });
    expect(taskLines(stdout)).toEqual([]);
    expect(stdout.filter((l) => l.startsWith("FAIL "))).toHaveLength(1);
  });

  it("json is --json: NDJSON only on stdout", async () => {
    for (const options of [{ reporters: ["json"] as ReporterName[] }, { json: true }]) {
      const { stdout, stderr } = await outputOf(options);
      for (const line of stdout) expect(() => JSON.parse(line)).not.toThrow();
      expect(stdout.length).toBeGreaterThan(20);
      expect(stderr).toEqual([]);
    }
  });

  it("github outside Actions: the CI lines plus groups and annotations", async () => {
    const { stdout } = await outputOf({ reporters: ["github"] });
    expect(taskLines(stdout)).toEqual([]);
    expect(stdout).toContain("::group::swarm: scanning files");
    expect(stdout.filter((l) => l.startsWith("::error ")).length).toBeGreaterThan(0);
  });

  it("repeatable: json on stdout, the text reporters on stderr", async () => {
    const { stdout, stderr } = await outputOf({ reporters: ["json", "dots", "github"] });
    for (const line of stdout) expect(() => JSON.parse(line)).not.toThrow();
    expect(stderr).toContain("...F................");
    expect(stderr).toContain("::group::swarm: scanning files");
  });
});
