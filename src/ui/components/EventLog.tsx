import { Static, Text } from "ink";
import { formatUSD, oneLine, plural } from "../../util/index.js";
import type { LogEntry } from "../state.js";

export interface EventLogProps {
  entries: readonly LogEntry[];
}

/**
 * Failures, reverts, warnings, budget and commit notices, each printed once above the live area
 * (ink <Static>), so they stay in the scrollback while the panel below keeps redrawing.
 */
export function EventLog({ entries }: EventLogProps) {
  // <Static> memoizes on the array's identity, and the reducer appends in place: hand it a new array.
  return <Static items={[...entries]}>{(entry) => <LogLine key={entry.id} entry={entry} />}</Static>;
}

function LogLine({ entry }: { entry: LogEntry }) {
  switch (entry.kind) {
    case "failed":
      return (
        <Text>
          <Text color="red">✖ failed</Text> {entry.role} {entry.file} — {entry.code}: {oneLine(entry.message)}
          {entry.attempts > 1 ? ` (${entry.attempts} attempts)` : ""}
        </Text>
      );
    case "revert":
      return (
        <Text>
          <Text color="red">↺ reverted</Text> {entry.file} — {oneLine(entry.reason)}
          {entry.problems > 1 ? ` (+${entry.problems - 1} more problems)` : ""}
        </Text>
      );
    case "warning":
      return (
        <Text>
          <Text color="yellow">⚠</Text> {oneLine(entry.message)}
        </Text>
      );
    case "budget": {
      const used = entry.budget === "cost" ? `${formatUSD(entry.used)} of ${formatUSD(entry.limit)}` : `${entry.used} of ${entry.limit} steps`;
      return (
        <Text>
          <Text color={entry.isExhausted ? "red" : "yellow"}>⚠</Text> {entry.budget} budget{" "}
          {entry.isExhausted ? "exhausted" : "nearly used"}: {used}
        </Text>
      );
    }
    case "commit":
      return (
        <Text>
          <Text color="green">✔ committed</Text> {entry.role}: {plural(entry.files, "file")} to {entry.branch} ({entry.sha.slice(0, 7)})
        </Text>
      );
    case "stopping":
      return (
        <Text>
          <Text color="yellow">■</Text> {stoppingText(entry.mode, entry.reason)}
        </Text>
      );
  }
}

function stoppingText(mode: "draining" | "aborting", reason: string): string {
  if (mode === "aborting") return "aborting: cancelling the agents in flight";
  if (reason === "budget") return "budget used up: starting no new agents, letting the ones in flight finish";
  if (reason === "auth") return "the endpoint rejected the API key: stopping";
  return "interrupted: starting no new agents, letting the ones in flight finish";
}
