import type { Eol } from "../core/index.js";
import { hasBom, stripBom, withBom } from "./text.js";

/** How a file at HEAD looked byte-wise, so a rewritten version can look the same. */
export interface FileStyle {
  hasBom: boolean;
  eol: Eol;
  hasFinalNewline: boolean;
}

/**
 * Pure: reshape `content` (as a model or a task produced it) into the original file's style.
 * - line endings: every `\r\n`/`\n` becomes the original's dominant EOL;
 * - final newline: added when the original had one, trailing line breaks dropped when it had none;
 * - BOM: present exactly when the original had one.
 * Empty content stays empty: an empty file has no final newline to restore.
 */
export function restoreFileStyle(content: string, original: FileStyle): string {
  let text = stripBom(content);
  text = text.replace(/\r\n/g, "\n");
  if (text !== "") {
    if (original.hasFinalNewline) {
      if (!text.endsWith("\n")) text += "\n";
    } else {
      text = text.replace(/\n+$/, "");
    }
  }
  if (original.eol === "\r\n") text = text.replace(/\n/g, "\r\n");
  return withBom(text, original.hasBom);
}

/** Pure: the style of a decoded file (BOM still in place, if any). Dominant EOL wins; ties go to `\n`. */
export function detectFileStyle(text: string): FileStyle {
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  const lf = (text.match(/\n/g)?.length ?? 0) - crlf;
  return { hasBom: hasBom(text), eol: crlf > lf ? "\r\n" : "\n", hasFinalNewline: text.endsWith("\n") };
}
