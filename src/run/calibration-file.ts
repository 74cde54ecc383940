import { readFile } from "node:fs/promises";
import path from "node:path";
import { calibrationRatios, measureRun, mergeRun, parseCalibrationFile, type Calibration, type CalibrationFile, type CalibrationRun, type MeasureRunInput } from "../estimate/index.js";
import { ensureSwarmExcluded } from "../git/index.js";
import { ensureDir, writeFileAtomic } from "../util/index.js";

/** `<repo>/.swarm/calibration.json`: beside the run directories, so it stays out of git with them. */
export function calibrationPath(repoTop: string): string {
  return path.join(repoTop, ".swarm", "calibration.json");
}

/**
 * The repository's calibration, or null when there is none. A missing, unreadable or malformed file
 * means "uncalibrated", never an error: calibration only sharpens an estimate that works without it.
 */
async function readCalibration(repoTop: string): Promise<CalibrationFile | null> {
  try {
    return parseCalibrationFile(JSON.parse(await readFile(calibrationPath(repoTop), "utf8")));
  } catch {
    return null;
  }
}

/** Merges one run into the file (read, merge, atomic write); returns what was written. */
async function saveCalibrationRun(repoTop: string, run: CalibrationRun): Promise<CalibrationFile> {
  const merged = mergeRun(await readCalibration(repoTop), run);
  const file = calibrationPath(repoTop);
  await ensureSwarmExcluded(repoTop);
  await ensureDir(path.dirname(file));
  await writeFileAtomic(file, JSON.stringify(merged, null, 2) + "\n");
  return merged;
}

/**
 * After a run: measure it and merge it into the file. Returns a warning instead of throwing: a run
 * whose branch and report are written must not fail over its calibration.
 */
export async function recordCalibration(repoTop: string, input: MeasureRunInput): Promise<string | null> {
  try {
    await saveCalibrationRun(repoTop, measureRun(input));
    return null;
  } catch (error) {
    return `calibration not saved to ${calibrationPath(repoTop)}: ${(error as Error).message}`;
  }
}

/** The ratios estimates of this repository apply (empty when it has no calibration yet). */
export async function loadCalibrationRatios(repoTop: string): Promise<Calibration> {
  return calibrationRatios(await readCalibration(repoTop));
}
