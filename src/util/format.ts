// Pure number → text helpers shared by the report renderers, the plain reporter and the dashboard.
// Everything here is locale-free on purpose: CI logs and snapshots must read the same everywhere.

/** "850 ms", "12.3 s", "4 m 05 s", "1 h 02 m". Negative or non-finite input reads as 0. */
export function formatDuration(ms: number): string {
  const safeMs = Number.isFinite(ms) && ms > 0 ? ms : 0;
  if (Math.round(safeMs) < 1000) return `${Math.round(safeMs)} ms`;
  // Decide the unit after rounding, so 59 960 ms reads "1 m 00 s" rather than "60.0 s".
  const tenths = Math.round(safeMs / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  const totalSeconds = Math.round(safeMs / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes} m ${pad2(totalSeconds % 60)} s`;
  const totalMinutes = Math.round(safeMs / 60_000);
  return `${Math.floor(totalMinutes / 60)} h ${pad2(totalMinutes % 60)} m`;
}

/** "$0.0042" below one cent (so small runs do not all read "$0.00"), else "$1.23", "$1,234.50". */
export function formatUSD(usd: number): string {
  if (!Number.isFinite(usd)) return "$?";
  const sign = usd < 0 ? "-" : "";
  const abs = Math.abs(usd);
  if (abs === 0) return "$0.00";
  if (abs < 0.01) return `${sign}$${abs.toFixed(4)}`;
  const [whole, cents] = abs.toFixed(2).split(".");
  return `${sign}$${groupThousands(whole)}.${cents}`;
}

/** 950 → "950", 1234 → "1.2k", 123_456 → "123k", 1_234_567 → "1.23M", 2e9 → "2B". */
export function formatTokens(tokens: number): string {
  if (!Number.isFinite(tokens)) return "?";
  const sign = tokens < 0 ? "-" : "";
  const abs = Math.abs(Math.round(tokens));
  if (abs < 1000) return `${sign}${abs}`;
  const units: [number, string, number][] = [
    [1e3, "k", 1],
    [1e6, "M", 2],
    [1e9, "B", 2],
  ];
  for (let i = 0; i < units.length; i++) {
    const [size, suffix, maxDecimals] = units[i];
    const value = abs / size;
    const text = compact(value, value >= 100 ? 0 : value >= 10 ? Math.min(1, maxDecimals) : maxDecimals);
    // Rounding may carry into the next unit ("1000k" → "1M").
    if (Number(text) >= 1000 && i < units.length - 1) continue;
    return `${sign}${text}${suffix}`;
  }
  return `${sign}${compact(abs / 1e9, 0)}B`;
}

export interface PercentOptions {
  /** Decimal places. @default 0 */
  digits?: number;
  /** Prefix positive values with "+" (for estimate errors). @default false */
  signed?: boolean;
}

/** A ratio as a percentage: 0.1333 → "13%"; null/NaN → "n/a". */
export function formatPercent(ratio: number | null | undefined, options: PercentOptions = {}): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "n/a";
  return formatPercentValue(ratio * 100, options);
}

/** A value already in percent: 12.5 → "13%" (or "+12.5%" with digits 1, signed). */
export function formatPercentValue(percent: number | null | undefined, options: PercentOptions = {}): string {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return "n/a";
  const digits = options.digits ?? 0;
  let text = percent.toFixed(digits);
  if (Number(text) === 0) text = (0).toFixed(digits); // no "-0%"
  const sign = options.signed && Number(text) > 0 ? "+" : "";
  return `${sign}${text}%`;
}

/** "1 file", "3 files"; pass the plural when it is not the singular plus "s" ("retry", "retries"). */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

/** Pads to a width counted in code points, so "✓" or "→" count as one column. */
export function padEnd(text: string, width: number): string {
  const length = [...text].length;
  return length >= width ? text : text + " ".repeat(width - length);
}

export function padStart(text: string, width: number): string {
  const length = [...text].length;
  return length >= width ? text : " ".repeat(width - length) + text;
}

export type ColumnAlign = "left" | "right";

/**
 * Aligns rows of cells into text columns separated by two spaces. Trailing spaces are trimmed
 * so logs and snapshots do not carry invisible whitespace.
 */
export function alignColumns(rows: string[][], align: ColumnAlign[] = []): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (align[i] === "right" ? padStart(cell, widths[i]) : padEnd(cell, widths[i])))
      .join("  ")
      .trimEnd(),
  );
}

/** Collapses whitespace and strips ANSI and control characters, then caps the length: one safe log line. */
export function oneLine(text: string, maxLength = 240): string {
  const cleaned = text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "").replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ");
  const collapsed = cleaned.replace(/\s+/g, " ").trim();
  return collapsed.length > maxLength ? `${collapsed.slice(0, maxLength - 3)}...` : collapsed;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

function compact(value: number, decimals: number): string {
  // Trailing zeros add noise in a progress line: "1.0k" → "1k", "1.20M" → "1.2M".
  const text = value.toFixed(decimals);
  return decimals > 0 ? text.replace(/\.?0+$/, "") : text;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
