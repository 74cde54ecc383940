// What validation hands on: its problems in plain, JSON-serialisable form, and what the report shows of
// its repairs and reverts. Kept here, under validate/, so report/ reads them through validate's face.
import type { RepoPath, TaskId } from "../core/index.js";
import type { Problem } from "../events/index.js";

/** A Problem with the import it is about; still a plain, JSON-serialisable Problem. */
export type ImportProblem = Problem & {
  /** The module specifier as written in `file`. */
  specifier?: string;
  /** The imported name that is missing (`default` for missing-default). */
  name?: string;
};

export interface ReportRepair {
  taskId: TaskId;
  file: RepoPath;
  round: number;
  problems: Problem[];
  fixed: boolean;
}

export interface ReportRevert {
  taskId: TaskId;
  file: RepoPath;
  /** The problems that sent the file back (empty for a revert that follows another, see `reason`). */
  problems: Problem[];
  /** Why, when it is not a problem of its own: e.g. a test written from a refactor that was reverted. */
  reason?: string;
}

/** A command gate's outcome at HEAD (the baseline) and on the run's last checked result. */
export interface ReportGate {
  gate: "typecheck" | "lint" | "test";
  command: string;
  head: "passed" | "failed" | "timed-out" | "not-found" | "crashed" | "not-run";
  result: "passed" | "failed" | "timed-out" | "not-found" | "crashed" | "not-run";
  /** Why the gate did not run, in one line. */
  message?: string;
  ms?: number;
}

export interface ReportValidation {
  /** Problems the run introduced (baseline problems excluded), each with the task blamed for it. */
  problems: Problem[];
  repairs: ReportRepair[];
  reverts: ReportRevert[];
  /** Introduced problems still on the branch: ones no revert of the run's files removes. Absent when none. */
  remaining?: Problem[];
  /** Which compiler diagnostics counted: "all" with installed packages, "imports" without, "none" without TypeScript. */
  typeCheck?: "all" | "imports" | "none";
  /** Command gates (validate.commands), when any is configured. */
  gates?: ReportGate[];
  /** What the checks could not do, one line each (no installed packages, TypeScript files no project checks). */
  notes?: string[];
}

