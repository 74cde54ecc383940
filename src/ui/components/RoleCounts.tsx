import { Box, Text } from "ink";
import { alignColumns } from "../../util/index.js";
import type { RoleCounts as Counts } from "../state.js";

export interface RoleCountsProps {
  /** Rows in this order; roles without counts yet show as zero. */
  roles: readonly string[];
  byRole: ReadonlyMap<string, Counts>;
}

/** One aligned line per role: `refactor  20/30  18 ok · 1 failed · 1 not run · 5 running · 5 waiting`. */
export function RoleCounts({ roles, byRole }: RoleCountsProps) {
  const rows = roles.map((role) => {
    const c = byRole.get(role) ?? { total: 0, isTotalPlanned: false, queued: 0, running: 0, succeeded: 0, failed: 0, notRun: 0 };
    const settled = c.succeeded + c.failed + c.notRun;
    // Waiting = planned but neither running nor settled: queued, or prerequisites still open.
    // Without the plan's figure only the queued ones are known to wait.
    const waiting = c.isTotalPlanned ? Math.max(0, c.total - settled - c.running) : c.queued;
    const details = [
      `${c.succeeded} ok`,
      ...(c.failed > 0 ? [`${c.failed} failed`] : []),
      ...(c.notRun > 0 ? [`${c.notRun} not run`] : []),
      ...(c.running > 0 ? [`${c.running} running`] : []),
      ...(waiting > 0 ? [`${waiting} waiting`] : []),
    ];
    return [role, c.isTotalPlanned ? `${settled}/${c.total}` : `${settled}/?`, details.join(" · ")];
  });
  const lines = alignColumns(rows, ["left", "right", "left"]);
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <Text key={roles[i]} wrap="truncate-end">
          {"  "}
          {line}
        </Text>
      ))}
    </Box>
  );
}
