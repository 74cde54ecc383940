// Secret detection by file name and by content. Pure.
//
// The scan calls these before any file could reach a model: a match keeps the file out of the run and
// lists it as a skip. The returned reason names the kind of secret (and a line number) but never the
// matched text, so reasons can go into logs, events and reports.
//
// Choices, in the direction of "better to keep a harmless file out than to send a key":
// - Names are matched on the base name, case-insensitively (`.ENV` on a case-insensitive checkout).
// - `.env.example`, `.env.sample`, `.env.template`, `.env.dist` (also as `.env.local.example`) are
//   templates meant to be committed, so they are not secrets.
// - `secrets.*` matches every extension, code included: a `secrets.js` is far more often a config object
//   holding keys than a module about secrets. `credentials.*` matches only data formats, because
//   `credentials.ts` is a common name for auth-handling code and its content is still checked.
// - Public halves (`id_rsa.pub`) are not secrets.
// - Not detected on purpose: JWTs (test fixtures are full of them, and a bare JWT is usually a short-lived
//   or sample token), connection strings with passwords (`postgres://user:pass@localhost` is everywhere
//   in tests), and generic "high-entropy strings" (hashes, ids, base64 fixtures): the false-positive rate
//   would keep ordinary source files out of a refactor.
// - AWS's documented example key (ending in `EXAMPLE`) is not a secret.

const ENV_TEMPLATE_PARTS = new Set(["example", "sample", "template", "dist"]);

const EXACT_NAMES = new Map<string, string>([
  [".npmrc", "an npm config file (.npmrc, may hold registry tokens)"],
  [".yarnrc.yml", "a Yarn config file (.yarnrc.yml, may hold registry tokens)"],
  [".netrc", "a .netrc credentials file"],
  ["_netrc", "a .netrc credentials file"],
  [".pgpass", "a PostgreSQL password file (.pgpass)"],
  [".pypirc", "a PyPI credentials file (.pypirc)"],
  [".git-credentials", "a git credentials file (.git-credentials)"],
  [".htpasswd", "an .htpasswd password file"],
  [".dockercfg", "a Docker credentials file (.dockercfg)"],
  ["credentials", "a credentials file"],
]);

const EXTENSIONS = new Map<string, string>([
  [".pem", "a PEM key or certificate file (*.pem)"],
  [".key", "a private key file (*.key)"],
  [".p12", "a PKCS#12 key store (*.p12)"],
  [".pfx", "a PKCS#12 key store (*.pfx)"],
  [".keystore", "a key store (*.keystore)"],
  [".jks", "a Java key store (*.jks)"],
  [".ppk", "a PuTTY private key (*.ppk)"],
  [".tfstate", "a Terraform state file (*.tfstate, holds resource secrets)"],
  [".env", "an environment file (*.env)"],
]);

const DATA_EXTENSIONS = new Set(["json", "yml", "yaml", "toml", "ini", "xml", "txt", "csv", "conf", "cfg", "properties"]);

/** Why a file's name says it probably holds a secret, or null. */
export function secretNameReason(path: string): string | null {
  const base = path.slice(path.lastIndexOf("/") + 1).toLowerCase();

  if (base === ".env" || base.startsWith(".env.")) {
    const parts = base.split(".").slice(2);
    if (parts.some((part) => ENV_TEMPLATE_PARTS.has(part))) return null;
    return "named like an environment file (.env)";
  }

  const exact = EXACT_NAMES.get(base);
  if (exact) return `named like ${exact}`;

  if (/^id_(rsa|dsa|ecdsa|ed25519)(?!.*\.pub$)/.test(base)) return "named like an SSH private key (id_*)";
  if (base.startsWith("secrets.") || base.startsWith("secret.")) return "named like a secrets file (secrets.*)";
  if (base.startsWith("credentials.") && DATA_EXTENSIONS.has(base.slice("credentials.".length))) {
    return "named like a credentials file (credentials.*)";
  }
  if (/^service[-_]?account.*\.json$/.test(base)) return "named like a cloud service-account key (service-account*.json)";
  if (base.endsWith(".tfstate.backup")) return "named like a Terraform state file (*.tfstate.backup)";

  const dot = base.lastIndexOf(".");
  const extension = dot > 0 ? EXTENSIONS.get(base.slice(dot)) : undefined;
  return extension ? `named like ${extension}` : null;
}

interface ContentRule {
  kind: string;
  /** Cheap literal pre-check: the regex only runs when one of these occurs in the text. */
  hints: string[];
  /** Global regex; `accept` can veto a match (the match text never leaves this module). */
  pattern: RegExp;
  accept?: (match: string) => boolean;
}

// Word boundaries are spelled out as look-arounds because keys contain `-` and `_`, which \b treats as
// boundaries, and we must not match inside a longer identifier (e.g. `task-` for `sk-`).
const CONTENT_RULES: ContentRule[] = [
  {
    kind: "a private key",
    hints: ["PRIVATE KEY"],
    pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g,
  },
  {
    kind: "an AWS access key",
    hints: ["AKIA", "ASIA"],
    pattern: /(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/g,
    accept: (match) => !match.endsWith("EXAMPLE"),
  },
  {
    kind: "a GitHub token",
    hints: ["ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_"],
    pattern: /(?<![A-Za-z0-9_])(?:gh[opsur]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})/g,
  },
  {
    kind: "a GitLab token",
    hints: ["glpat-"],
    pattern: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,}/g,
  },
  {
    kind: "a Slack token",
    hints: ["xox"],
    pattern: /(?<![A-Za-z0-9])xox[baprs]-[A-Za-z0-9-]{10,}/g,
    accept: (match) => /\d/.test(match),
  },
  {
    kind: "a Stripe live key",
    hints: ["_live_"],
    pattern: /(?<![A-Za-z0-9_])(?:sk|rk)_live_[A-Za-z0-9]{16,}/g,
  },
  {
    kind: "a Google API key",
    hints: ["AIza"],
    pattern: /(?<![A-Za-z0-9_-])AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])/g,
  },
  {
    kind: "an npm token",
    hints: ["npm_"],
    pattern: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/g,
  },
  {
    // OpenAI (sk-..., sk-proj-..., sk-svcacct-...) and Anthropic (sk-ant-...) style keys. Real keys are
    // random base62, so a 20+ character run with digits and both letter cases; kebab-case prose and
    // identifiers like `sk-learn-model-selection` fail that test.
    kind: "an API secret key (sk-...)",
    hints: ["sk-"],
    pattern: /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{20,}/g,
    accept: (match) => /\d/.test(match) && /[a-z]/.test(match) && /[A-Z]/.test(match.slice(3)),
  },
];

/** Why a file's text probably holds a secret ("contains what looks like X (line N)"), or null. */
export function secretContentReason(text: string): string | null {
  let first: { index: number; kind: string } | undefined;
  for (const rule of CONTENT_RULES) {
    if (!rule.hints.some((hint) => text.includes(hint))) continue;
    rule.pattern.lastIndex = 0;
    for (let m = rule.pattern.exec(text); m !== null; m = rule.pattern.exec(text)) {
      if (first && m.index >= first.index) break;
      if (!rule.accept || rule.accept(m[0])) {
        first = { index: m.index, kind: rule.kind };
        break;
      }
    }
  }
  return first ? `contains what looks like ${first.kind} (line ${lineAt(text, first.index)})` : null;
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf("\n"); at !== -1 && at < index; at = text.indexOf("\n", at + 1)) line += 1;
  return line;
}

/**
 * Why a file (by name, then by content when given) must stay out of every prompt, or null. For text read
 * outside the scan, such as the HEAD content of an existing test that a test task would be shown.
 */
export function secretReason(path: string, text?: string): string | null {
  return secretNameReason(path) ?? (text === undefined ? null : secretContentReason(text));
}
