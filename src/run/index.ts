export { loadCalibrationRatios, recordCalibration } from "./calibration-file.js";
export { Journal, parseJournal, readJournal } from "./journal.js";
export { RUN_ID_PATTERN, latestRunId, newRunId, runDirPaths } from "./run-dir.js";
export { assertSameHead, openRunDir, readRunMeta, recordBranchTip, recordResume, resumeOverrides, writeSampleFile, writtenBranchTip } from "./run-meta.js";
export type { RunMeta, SampleMeta } from "./run-meta.js";
