export { diskFullAt } from "./disk-full.js";
export { detectFileStyle, restoreFileStyle, type FileStyle } from "./eol.js";
export { alignColumns, formatDuration, formatPercent, formatPercentValue, formatTokens, formatUSD, oneLine, padEnd, padStart, plural } from "./format.js";
export { ensureDir, readJson, syncDir, writeFileAtomic } from "./fs.js";
export { assertNoSymlinkEscape, assertOutputPath, checkOutputPath } from "./paths.js";
export { printable } from "./printable.js";
export { shellQuote } from "./shell.js";
export { createRedactor } from "./redact.js";
export { decodeUtf8, normalizeText, stripBom } from "./text.js";
