import { Text } from "ink";
import { formatDuration, formatPercent } from "../../util/index.js";

export interface ProgressBarProps {
  settled: number;
  total: number;
  running: number;
  elapsedMs: number;
  /** Null while there is no completion rate to extrapolate from. */
  etaMs: number | null;
  columns: number;
}

const MIN_BAR = 10;
const MAX_BAR = 40;

/** `[██████░░░░] 30/90 33% · 12 running · 1 m 02 s elapsed · ETA 2 m 04 s` on one line. */
export function ProgressBar({ settled, total, running, elapsedMs, etaMs, columns }: ProgressBarProps) {
  const ratio = total > 0 ? Math.min(1, settled / total) : 0;
  const facts = [
    `${settled}/${total}`,
    formatPercent(ratio),
    ...(running > 0 ? [`${running} running`] : []),
    `${formatDuration(elapsedMs)} elapsed`,
    ...(etaMs === null ? [] : [`ETA ${formatDuration(etaMs)}`]),
  ];
  const text = ` ${facts[0]} ${facts[1]}${facts.length > 2 ? " · " + facts.slice(2).join(" · ") : ""}`;
  // The bar takes what the facts leave, within bounds: facts matter more than bar resolution.
  const barWidth = Math.max(MIN_BAR, Math.min(MAX_BAR, columns - [...text].length - 2));
  const filled = Math.round(barWidth * ratio);
  return (
    <Text wrap="truncate-end">
      [<Text color="green">{"█".repeat(filled)}</Text>
      <Text dimColor>{"░".repeat(barWidth - filled)}</Text>]{text}
    </Text>
  );
}
