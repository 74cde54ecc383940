import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildReport } from "../../../src/report/build-report.js";
import { renderReportMarkdown } from "../../../src/report/render-markdown.js";
import { writeReport } from "../../../src/report/write-report.js";
import { tempDir } from "../../support/git-repo.js";
import { sampleInput } from "./sample-input.js";

describe("writeReport", () => {
  it("writes report.json and report.md, creating the run dir, leaving no temp files", async () => {
    const dir = tempDir("swarm-report-");
    const runDir = path.join(dir, ".swarm", "runs", "r1");
    const paths = { reportJson: path.join(runDir, "report.json"), reportMd: path.join(runDir, "report.md") };
    const report = buildReport(sampleInput());

    await writeReport(paths, report);
    expect(JSON.parse(await readFile(paths.reportJson, "utf8"))).toEqual(report);
    expect(await readFile(paths.reportMd, "utf8")).toBe(renderReportMarkdown(report));

    // A second write replaces both files whole.
    const again = { ...report, costUSD: 1.5 };
    await writeReport(paths, again);
    expect(JSON.parse(await readFile(paths.reportJson, "utf8")).costUSD).toBe(1.5);
    expect((await readdir(runDir)).sort()).toEqual(["report.json", "report.md"]);
  });
});
