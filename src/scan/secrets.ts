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
// - Content rules live in src/secrets/ (gitleaks' maintained rules plus ours): JWTs, URLs with a password
//   (but not to localhost or with a placeholder password), and literal credentials in config files count.
//   Generic "high-entropy strings" (hashes, ids, base64 fixtures) do not: that check is only for model
//   answers, on lines the source does not have.
// - AWS's documented example key (ending in `EXAMPLE`) is not a secret.

import { findSecret, lineOf } from "../secrets/index.js";

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

/**
 * Why a file's text probably holds a secret ("contains what looks like X (line N)"), or null. With `path`,
 * a config file (JSON/YAML/.properties/INI/TOML) with a literal password/secret/token value counts too.
 */
export function secretContentReason(text: string, path?: string): string | null {
  const hit = findSecret(text, path);
  return hit ? `contains what looks like ${hit.kind} (line ${lineOf(text, hit.index)})` : null;
}

/**
 * Why a file (by name, then by content when given) must stay out of every prompt, or null. For text read
 * outside the scan, such as the HEAD content of an existing test that a test task would be shown.
 */
export function secretReason(path: string, text?: string): string | null {
  return secretNameReason(path) ?? (text === undefined ? null : secretContentReason(text, path));
}
