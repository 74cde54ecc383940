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
}

/** `Failed (7: no-code-block ×4, timeout ×3)` then the latest failures with their reasons. */
export function Failures({ failures, total, byCode }: FailuresProps) {
  return (
    <Box flexDirection="column">
      <Text bold color="red" wrap="truncate-end">
        Failed ({total}
        {total > 0 ? `: ${formatCounts(byCode)}` : ""})
        {failures.length < total ? <Text dimColor bold={false}>{` · latest ${failures.length}`}</Text> : null}
      </Text>
      {failures.map((f) => (
        <Text key={`${f.taskId}@${f.t}`} wrap="truncate-end">
          {"  "}
          <Text color="red">✖</Text> {f.role} {f.file} — {f.code}: {oneLine(f.message)}
        </Text>
      ))}
    </Box>
  );
}

/** `{timeout: 2, "rate-limited": 3}` → `rate-limited ×3, timeout ×2` (most frequent first). */
export function formatCounts(byCode: Readonly<Record<string, number | undefined>>): string {
  return Object.entries(byCode)
    .filter((entry): entry is [string, number] => (entry[1] ?? 0) > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, n]) => `${code} ×${n}`)
    .join(", ");
}
