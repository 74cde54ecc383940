import { Box, Text } from "ink";
import { formatDuration, formatTokens, padEnd, padStart } from "../../util/index.js";
import { abbreviateMiddle } from "../fit-text.js";
import { tokensPerSecond, type InFlightAgent } from "../state.js";

export interface InFlightAgentsProps {
  /** The agents to list, slowest first, already capped to the rows available. */
  agents: readonly InFlightAgent[];
  /** All agents in flight, listed or not. */
  total: number;
  /** Whether there is a row for "+N more" when not all are listed. */
  showsMore: boolean;
  /** Event time to measure elapsed against. */
  now: number;
  columns: number;
}

const KIND_WIDTH = 8; // "refactor"
const ELAPSED_WIDTH = 9; // "12 m 05 s"
const MIN_FILE_WIDTH = 12;
/** "12.3k tok  48 tok/s": the streamed answer so far and its pace. */
const TOKENS_WIDTH = 21;
/** What the attempt column keeps before the file column gives up characters: "attempt 2". */
const MIN_TAIL_WIDTH = 9;

/**
 * `In flight (12)` then one row per agent: kind, file, elapsed, tokens so far and tokens/s (once any
 * agent streams), attempt (and backoff), then `+N more`.
 */
export function InFlightAgents({ agents, total, showsMore, now, columns }: InFlightAgentsProps) {
  const tails = agents.map((agent) => attemptText(agent, now));
  const showsTokens = agents.some((agent) => agent.progress !== null);
  const tailWidth = Math.max(0, ...tails.map((t) => [...t].length));
  // Two-space indent and gaps; the file column absorbs whatever width is left. The file comes
  // before the backoff detail: on a narrow terminal the row's end (truncated) loses the detail.
  const fixedWidth = 2 + KIND_WIDTH + 2 + 2 + ELAPSED_WIDTH + 2 + (showsTokens ? TOKENS_WIDTH + 2 : 0) + Math.min(tailWidth, MIN_TAIL_WIDTH);
  const longestFile = Math.max(0, ...agents.map((a) => [...a.file].length));
  const fileWidth = Math.max(MIN_FILE_WIDTH, Math.min(longestFile, columns - fixedWidth));
  const hidden = total - agents.length;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        In flight ({total})
      </Text>
      {agents.map((agent, i) => (
        <Text key={agent.taskId} wrap="truncate-end">
          {"  "}
          <Text color={agent.kind === "repair" ? "magenta" : "cyan"}>{padEnd(agent.kind, KIND_WIDTH)}</Text>
          {"  "}
          {padEnd(abbreviateMiddle(agent.file, fileWidth), fileWidth)}
          {"  "}
          {padStart(formatDuration(now - agent.startedAt), ELAPSED_WIDTH)}
          {"  "}
          {showsTokens ? padEnd(tokensText(agent), TOKENS_WIDTH) + "  " : ""}
          <Text color={agent.retry ? "yellow" : undefined} dimColor={!agent.retry && agent.attempt === 1}>
            {tails[i]}
          </Text>
        </Text>
      ))}
      {hidden > 0 && showsMore ? <Text dimColor>{`  +${hidden} more`}</Text> : null}
    </Box>
  );
}

function tokensText(agent: InFlightAgent): string {
  if (!agent.progress) return "";
  const rate = tokensPerSecond(agent);
  const tokens = padStart(`${formatTokens(agent.progress.outputTokens)} tok`, 9);
  return rate === null ? tokens : `${tokens}  ${padStart(Math.round(rate).toString(), 4)} tok/s`;
}

function attemptText(agent: InFlightAgent, now: number): string {
  const attempt = `attempt ${agent.attempt}${agent.edits ? " · edits" : ""}`;
  if (!agent.retry) return attempt;
  const leftMs = agent.retry.at + agent.retry.delayMs - now;
  // Past the backoff, the retry waits for a free slot under the concurrency limit.
  const wait = leftMs > 0 ? `retry in ${formatDuration(leftMs)}` : "retry queued";
  return `${attempt} · ${wait} (${agent.retry.code})`;
}
