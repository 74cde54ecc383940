import { Box, Text } from "ink";
import { oneLine } from "../../util/index.js";
import { abbreviateMiddle, wrapWords } from "../fit-text.js";
import type { FailureEntry } from "../state.js";

export interface FailuresProps {
  /** The failures to list, oldest first, already capped to the rows available. */
  failures: readonly FailureEntry[];
  /** Failed tasks in all, listed or not. */
  total: number;
  /** Failed tasks by error code, for the header. */
  byCode: Readonly<Record<string, number | undefined>>;
  /** Terminal width: long paths lose their middle, and reasons wrap under the row rather than being cut. */
  columns: number;
}

/** `Failed (7: no-code-block ×4, timeout ×3)` then the latest failures with their reasons, wrapped. */
export function Failures({ failures, total, byCode, columns }: FailuresProps) {
  return (
    <Box flexDirection="column">
      <Text bold color="red" wrap="truncate-end">
        Failed ({total}
        {total > 0 ? `: ${formatCounts(byCode)}` : ""})
        {failures.length < total ? <Text dimColor bold={false}>{` · latest ${failures.length}`}</Text> : null}
      </Text>
      {failures.flatMap((f) =>
        failureLines(f, columns).map((line, i) => (
          <Text key={`${f.taskId}@${f.t}#${i}`} wrap="truncate-end">
            {i === 0 ? (
              <>
                {"  "}
                <Text color="red">✖</Text> {line}
              </>
            ) : (
              `    ${line}`
            )}
          </Text>
        )),
      )}
    </Box>
  );
}

/** Rows a failure takes: its reason wraps (issue 17), so the panel counts them to keep the frame's height. */
export function failureRows(f: FailureEntry, columns: number): number {
  return failureLines(f, columns).length;
}

/** What a failure row shows; the live panel's entries and the final summary's failed tasks both have it. */
interface FailureFacts {
  role: string;
  file: string;
  code: string;
  message: string;
}

/**
 * A reason longer than this many rows ends in "…" here: the log line above the panel (scrollback) and the
 * report carry every reason whole.
 */
const MAX_REASON_ROWS = 3;
/** `  ✖ ` before the first row, four spaces before the others. */
const INDENT = 4;

/**
 * `refactor packages/ser…/smtp.ts — bad-request: HTTP 400: …` in rows of `columns − indent` (the caller puts
 * `✖ ` or spaces before each), the path shortened in its middle.
 */
export function failureLines(f: FailureFacts, columns: number, indent = INDENT): string[] {
  const width = Math.max(8, columns - indent);
  const pathWidth = Math.max(12, Math.floor(columns * 0.4));
  const rows = wrapWords(`${f.role} ${abbreviateMiddle(f.file, pathWidth)} — ${f.code}: ${oneLine(f.message)}`, width);
  if (rows.length <= MAX_REASON_ROWS) return rows;
  const last = [...rows[MAX_REASON_ROWS - 1]!];
  return [...rows.slice(0, MAX_REASON_ROWS - 1), `${last.slice(0, width - 1).join("")}…`];
}

/** `{timeout: 2, "rate-limited": 3}` → `rate-limited ×3, timeout ×2` (most frequent first). */
export function formatCounts(byCode: Readonly<Record<string, number | undefined>>): string {
  return Object.entries(byCode)
    .filter((entry): entry is [string, number] => (entry[1] ?? 0) > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, n]) => `${code} ×${n}`)
    .join(", ");
}
