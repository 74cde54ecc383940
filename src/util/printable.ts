// The one sanitizer for repo-derived text (file names, reasons, messages) before any command prints it.
//
// A file name is attacker-controlled: an ESC sequence repaints the terminal, a newline forges a second
// line (on GitHub Actions, a `::error::` workflow command), a bidi override reorders what the reader sees.
// Everything that is not printable becomes a visible escape, so the name stays recognisable and unique.

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

// C0, DEL, C1, and the Unicode format characters that reorder or hide text (bidi controls, zero-width).
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Control and format characters escaped (`\n`, `\t`, `\x1b`, `\u202e`); everything else unchanged. */
export function printable(text: string): string {
  if (!UNPRINTABLE.test(text)) return text;
  UNPRINTABLE.lastIndex = 0;
  return text.replace(UNPRINTABLE, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
