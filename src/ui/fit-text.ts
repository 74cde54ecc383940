// Pure text fitting for the live panel (issue 17): rows are cut to the terminal width here, not by ink,
// so the panel knows exactly how many rows each line takes and the frame stays below the terminal height.

/** `packages/server/…/very-long/module.ts`: both ends of a path, where the package and the file name are. */
export function abbreviateMiddle(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return "…".slice(0, Math.max(0, width));
  const tail = Math.ceil((width - 1) * 0.6);
  return chars.slice(0, width - 1 - tail).join("") + "…" + chars.slice(chars.length - tail).join("");
}

/**
 * Word wrap to `width` columns; a word longer than a row is broken inside it. Every character is kept
 * (the spaces at a break excepted), so a reason wraps rather than being cut.
 */
export function wrapWords(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const rows: string[] = [];
  let row: string[] = [];
  for (const word of text.split(/\s+/).filter((x) => x !== "")) {
    let chars = [...word];
    if (row.length > 0 && row.length + 1 + chars.length <= w) {
      row.push(" ", ...chars);
      continue;
    }
    // A word that fits a row starts a new one; a longer one fills what is left of this row first.
    if (row.length > 0 && (chars.length <= w || row.length + 2 > w)) {
      rows.push(row.join(""));
      row = [];
    } else if (row.length > 0) row.push(" ");
    while (row.length + chars.length > w) {
      const room = w - row.length;
      rows.push([...row, ...chars.slice(0, room)].join(""));
      chars = chars.slice(room);
      row = [];
    }
    row.push(...chars);
  }
  if (row.length > 0 || rows.length === 0) rows.push(row.join(""));
  return rows;
}

/**
 * `a · b · c` on as few rows as `width` allows, breaking only between parts: a header or cost line at
 * 80 columns takes two rows instead of losing its end. A part wider than a row is word-wrapped.
 */
export function packParts(parts: readonly string[], width: number, separator = " · "): string[] {
  const w = Math.max(1, width);
  const rows: string[] = [];
  let row = "";
  for (const part of parts) {
    const joined = row === "" ? part : row + separator + part;
    if ([...joined].length <= w) {
      row = joined;
      continue;
    }
    if (row !== "") rows.push(row);
    const wrapped = wrapWords(part, w);
    rows.push(...wrapped.slice(0, -1));
    row = wrapped.at(-1) ?? "";
  }
  if (row !== "" || rows.length === 0) rows.push(row);
  return rows;
}
