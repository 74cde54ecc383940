// A literal password, secret or token written into a config file (JSON, YAML, .properties, INI, TOML). Pure.
//
// Only data files: in code, `password: "…"` is far more often a test fixture or a form label, and the
// key-shaped rules already catch real keys there. The key must end in the word (`db_password`, `authToken`),
// so `tokenizer` or `passwordMinLength` never match; references (`${DB_PASSWORD}`, `%(pw)s`, `<secret>`),
// placeholders, env-variable names and GitHub Actions permission levels (`id-token: write`) are not literals.

import { looksLikePlaceholder } from "./own-rules.js";

const CONFIG_EXTENSIONS = new Set(["json", "json5", "yml", "yaml", "properties", "ini", "toml", "cfg", "conf"]);
const WORD = "(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|client[_-]?secret|private[_-]?key)";

const JSON_PAIR = new RegExp(`"([\\w.-]*${WORD})"\\s*:\\s*"([^"\\\\]{4,})"`, "gi");
const YAML_PAIR = new RegExp(`^[ \\t-]*([\\w.-]*${WORD})[ \\t]*:[ \\t]*(?:"([^"]{4,})"|'([^']{4,})'|([^\\s'"#&*!|>{[][^#\\n]{3,}?))[ \\t]*(?:#.*)?$`, "gim");
const PROPERTIES_PAIR = new RegExp(`^[ \\t]*([\\w.-]*${WORD})[ \\t]*[=:][ \\t]*["']?([^\\s"'#;]{4,})["']?[ \\t]*$`, "gim");

// The credential word must start the key or follow a separator or a camel-case hump: `db_password`,
// `authToken`, `password` count; `jsonwebtoken` (a package name in package.json) does not.
const WORD_AT_END = new RegExp(`(?:^|[_.-]|(?<=[a-z0-9])(?=[A-Z]))${WORD}$`, "i");

function endsWithWord(key: string): boolean {
  const m = WORD_AT_END.exec(key);
  if (!m) return false;
  const start = m.index + (/^[_.-]/.test(m[0]) ? 1 : 0);
  // The regex is case-insensitive, so check the hump by hand: a boundary inside a lowercase run is not one.
  return start === 0 || /[_.-]/.test(key[start - 1]!) || (/[a-z0-9]/.test(key[start - 1]!) && /[A-Z]/.test(key[start]!));
}

function isReference(value: string): boolean {
  return looksLikePlaceholder(value) || /^[A-Z][A-Z0-9_]+$/.test(value) || /^(?:true|false|null|none|~|required|optional|read|write)$/i.test(value) || value.startsWith("ENC(") || /^(?:\.{0,2}\/|~\/|[A-Za-z]:\\|file:)/.test(value) || /^[\^~<>=v]*\d+\.\d+/.test(value);
}

export interface LiteralHit {
  index: number;
  /** The key's name (never the value). */
  key: string;
}

const extensionOf = (path: string) => path.slice(path.lastIndexOf(".") + 1).toLowerCase();

/** A data file configLiteral reads (JSON, YAML, .properties, INI, TOML…), by extension. */
export function isConfigFile(path: string): boolean {
  return CONFIG_EXTENSIONS.has(extensionOf(path));
}

/** The first literal credential value in a config file, or null; other files always give null. */
export function configLiteral(path: string, text: string): LiteralHit | null {
  const ext = extensionOf(path);
  if (!CONFIG_EXTENSIONS.has(ext)) return null;
  const patterns = ext.startsWith("json") ? [JSON_PAIR] : ext === "yml" || ext === "yaml" ? [YAML_PAIR] : [PROPERTIES_PAIR];
  for (const pattern of patterns) {
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
      const value = (m[2] ?? m[3] ?? m[4] ?? "").trim();
      if (value.length >= 4 && endsWithWord(m[1]!) && !isReference(value)) return { index: m.index, key: m[1]! };
    }
  }
  return null;
}
