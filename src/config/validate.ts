import { configSchema, type ResolvedConfig } from "./schema.js";

export type ValidationResult = { ok: true; config: ResolvedConfig } | { ok: false; errors: string[] };

/** Checks a raw config object and names every bad key with what was expected and what was found. */
export function validateConfig(raw: unknown): ValidationResult {
  const parsed = configSchema.safeParse(raw);
  const extra = endpointProblems(raw);
  if (parsed.success) return extra.length === 0 ? { ok: true, config: Object.freeze(parsed.data) } : { ok: false, errors: extra };
  const errors = parsed.error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      const where = path ? `${path}.` : "";
      const known = knownKeys(issue.path.map(String));
      return issue.keys
        .map((k) => {
          const guess = closest(k, known);
          return `${where}${k}: unknown key${guess ? ` (did you mean "${where}${guess}"?)` : ""}`;
        })
        .join("; ");
    }
    const got = valueAt(raw, issue.path);
    return `${path || "(root)"}: ${issue.message.replace(/^Invalid (input|option): /, "")}${got === undefined ? "" : `, got ${JSON.stringify(got)}`}`;
  });
  return { ok: false, errors: [...errors, ...extra] };
}

/**
 * zod's `.url()` takes any scheme; the SDK can only speak HTTP, and a `file:` or `ftp:` URL would
 * otherwise surface as a connection error after the run has started.
 */
function endpointProblems(raw: unknown): string[] {
  const baseURL = valueAt(raw, ["provider", "baseURL"]);
  if (typeof baseURL !== "string" || !URL.canParse(baseURL)) return [];
  const { protocol } = new URL(baseURL);
  return protocol === "http:" || protocol === "https:" ? [] : [`provider.baseURL: expected an http:// or https:// URL, got ${JSON.stringify(baseURL)}`];
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function knownKeys(path: string[]): string[] {
  let shape: unknown = configSchema.shape;
  for (const k of path) {
    const field = (shape as Record<string, { def?: { innerType?: unknown }; shape?: unknown }> | undefined)?.[k];
    shape = unwrap(field)?.shape;
  }
  return shape && typeof shape === "object" ? Object.keys(shape) : [];
}

function unwrap(schema: unknown): { shape?: unknown } | undefined {
  let s = schema as { shape?: unknown; def?: { innerType?: unknown; in?: unknown } } | undefined;
  for (let i = 0; i < 5 && s && !s.shape; i++) s = (s.def?.innerType ?? s.def?.in) as typeof s;
  return s;
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
