import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { renderReportMarkdown } from "./render-markdown.js";
import type { Report } from "./types.js";

/**
 * Writes report.json and report.md. Each file is written to a temporary sibling and renamed over
 * the target, so `swarm report` or a CI step reading it never sees half a file, even after Ctrl-C.
 */
export async function writeReport(paths: { reportJson: string; reportMd: string }, report: Report): Promise<void> {
  await writeFileAtomic(paths.reportJson, JSON.stringify(report, null, 2) + "\n");
  await writeFileAtomic(paths.reportMd, renderReportMarkdown(report));
}

async function writeFileAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, text, "utf8");
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
