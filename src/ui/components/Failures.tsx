import { Box, Text } from "ink";
import { oneLine } from "../../util/index.js";
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

/** `Failed (7: no-code-block ×4, timeout ×3)` then the latest failures with their reasons. */
export function Failures({ failures, total, byCode, columns }: FailuresProps) {
  return (
    <Box flexDirection="column">
      <Text bold color="red" wrap="truncate-end">
        Failed ({total}
        {total > 0 ? `: ${formatCounts(byCode)}` : ""})
        {failures.length < total ? <Text dimColor bold={false}>{` · latest ${failures.length}`}</Text> : null}
      </Text>
      {failures.map((f) => (
        <Text key={`${f.taskId}@${f.t}`} wrap="wrap">
          {"  "}
          <Text color="red">✖</Text> {failureText(f, columns).slice(4)}
        </Text>
      ))}
    </Box>
  );
}

/** Rows a failure takes when its reason wraps (issue 17: a reason is never cut away, at most MAX_REASON_ROWS). */
export function failureRows(f: FailureEntry, columns: number): number {
  return Math.max(1, Math.ceil([...failureText(f, columns)].length / Math.max(1, columns)));
}

const MAX_REASON_ROWS = 3;

/** `  ✖ refactor src/…/users.js — bad-request: HTTP 400: …`, the path shortened in its middle to leave room for the reason. */
function failureText(f: FailureEntry, columns: number): string {
  const head = `  ✖ ${f.role} `;
  const pathWidth = Math.max(12, Math.floor(columns * 0.4));
  const text = `${head}${abbreviateMiddle(f.file, pathWidth)} — ${f.code}: ${oneLine(f.message)}`;
  // Word wrap can take a little more than the characters alone: keep a margin inside the rows counted.
  const room = MAX_REASON_ROWS * columns - MAX_REASON_ROWS * 8;
  return [...text].length > room ? `${[...text].slice(0, room - 1).join("")}…` : text;
}

/** `packages/server/…/very-long/module.ts`: both ends of a path, where the package and the file name are. */
function abbreviateMiddle(path: string, width: number): string {
  const chars = [...path];
  if (chars.length <= width) return path;
  const tail = Math.ceil((width - 1) * 0.6);
  return chars.slice(0, width - 1 - tail).join("") + "…" + chars.slice(chars.length - tail).join("");
}

/** `{timeout: 2, "rate-limited": 3}` → `rate-limited ×3, timeout ×2` (most frequent first). */
export function formatCounts(byCode: Readonly<Record<string, number | undefined>>): string {
  return Object.entries(byCode)
    .filter((entry): entry is [string, number] => (entry[1] ?? 0) > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, n]) => `${code} ×${n}`)
    .join(", ");
}
