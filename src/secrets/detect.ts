// One detector over every rule (gitleaks' carried rules, then ours). Pure.
//
// A hit names the rule and the kind of secret and where it starts, never the matched text, so hits can go
// into logs, events, journals and reports.

import { configLiteral } from "./config-literal.js";
import { GITLEAKS_RULES } from "./gitleaks-rules.js";
import { goRegexToJs } from "./go-regex.js";
import { OWN_RULES, shannonEntropy } from "./own-rules.js";

export interface SecretHit {
  /** Rule id: a gitleaks id (`github-pat`), one of ours (`sk-api-key`), or `config-literal`. */
  rule: string;
  /** "a GitHub token": for sentences shown to users. */
  kind: string;
  /** Offset of the match in the text. */
  index: number;
}

interface CompiledRule {
  id: string;
  kind: string;
  keywords: readonly string[];
  pattern: RegExp;
  accept: (m: RegExpExecArray) => boolean;
}

// Obvious fixtures on top of gitleaks' own allow lists: the jwt.io sample token ("John Doe", sub 1234567890)
// is in countless tests and docs and was never a credential.
const EXTRA_ALLOW: Readonly<Record<string, readonly RegExp[]>> = {
  jwt: [/\.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwi/],
};

function compileGitleaks(): CompiledRule[] {
  return GITLEAKS_RULES.map((rule) => {
    const allow = [...(rule.allow ?? []).map((a) => new RegExp(goRegexToJs(a))), ...(EXTRA_ALLOW[rule.id] ?? [])];
    return {
      id: rule.id,
      kind: rule.kind,
      keywords: rule.keywords,
      pattern: new RegExp(goRegexToJs(rule.regex), "g"),
      accept: (m: RegExpExecArray) => {
        // gitleaks measures the secret group (or the first non-empty group, or the whole match).
        const secret = (rule.secretGroup ? m[rule.secretGroup] : m.slice(1).find((g) => g)) ?? m[0];
        if (rule.entropy !== undefined && shannonEntropy(secret) < rule.entropy) return false;
        return !allow.some((a) => a.test(secret));
      },
    };
  });
}

let compiled: CompiledRule[] | undefined;

/** Every rule, compiled once on first use (the translation runs ~50 regexes). */
export function compiledRules(): readonly CompiledRule[] {
  compiled ??= [...compileGitleaks(), ...OWN_RULES.map((r) => ({ ...r, accept: r.accept ?? (() => true) }))];
  return compiled;
}

/**
 * The first secret in `text` (lowest offset; on a tie, the first rule), or null. With `path`, config files
 * are also checked for literal password/secret/token values.
 */
export function findSecret(text: string, path?: string): SecretHit | null {
  let first: SecretHit | null = null;
  const lower = text.toLowerCase();
  for (const rule of compiledRules()) {
    if (!rule.keywords.some((k) => lower.includes(k))) continue;
    rule.pattern.lastIndex = 0;
    for (let m = rule.pattern.exec(text); m !== null; m = rule.pattern.exec(text)) {
      if (first && m.index >= first.index) break;
      if (m[0].length === 0) rule.pattern.lastIndex += 1;
      else if (rule.accept(m)) {
        first = { rule: rule.id, kind: rule.kind, index: m.index };
        break;
      }
    }
  }
  if (path !== undefined) {
    const literal = configLiteral(path, text);
    if (literal && (!first || literal.index < first.index)) {
      first = { rule: "config-literal", kind: `a literal credential in a config file (key "${literal.key.slice(0, 64)}")`, index: literal.index };
    }
  }
  return first;
}

/** 1-based line number of an offset, for reasons ("line 3"). */
export function lineOf(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf("\n"); at !== -1 && at < index; at = text.indexOf("\n", at + 1)) line += 1;
  return line;
}
