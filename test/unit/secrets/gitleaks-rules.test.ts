// A positive and a negative per rule carried from gitleaks (src/secrets/gitleaks-rules.ts), through the
// Go → JavaScript translation: every carried regex must compile on Node 20 and still find its own kind.
import { describe, expect, it } from "vitest";
import { compiledRules } from "../../../src/secrets/detect.js";
import { GITLEAKS_RULES } from "../../../src/secrets/gitleaks-rules.js";
import { goRegexToJs } from "../../../src/secrets/go-regex.js";
import { GITLEAKS_SAMPLES } from "./samples.js";

function ruleMatches(id: string, text: string): boolean {
  const rule = compiledRules().find((r) => r.id === id)!;
  rule.pattern.lastIndex = 0;
  for (let m = rule.pattern.exec(text); m !== null; m = rule.pattern.exec(text)) if (rule.accept(m)) return true;
  return false;
}

/** The sample with everything after its rule's keyword blanked out: the prefix alone is not a secret. */
function blanked(id: string, text: string): string {
  const rule = GITLEAKS_RULES.find((r) => r.id === id)!;
  const at = Math.min(...rule.keywords.map((k) => text.toLowerCase().indexOf(k)).filter((i) => i >= 0));
  const cut = at + rule.keywords.find((k) => text.toLowerCase().indexOf(k) === at)!.length;
  return text.slice(0, cut) + text.slice(cut).replace(/[A-Za-z0-9]/g, "-");
}

describe("carried gitleaks rules", () => {
  it("has a sample for every carried rule", () => {
    expect(Object.keys(GITLEAKS_SAMPLES).sort()).toEqual(GITLEAKS_RULES.map((r) => r.id).sort());
  });

  it.each(GITLEAKS_RULES.map((r) => [r.id] as const))("%s: translates, finds its sample, not the bare prefix", (id) => {
    const rule = GITLEAKS_RULES.find((r) => r.id === id)!;
    expect(() => new RegExp(goRegexToJs(rule.regex))).not.toThrow();
    expect(ruleMatches(id, GITLEAKS_SAMPLES[id]!), GITLEAKS_SAMPLES[id]).toBe(true);
    expect(ruleMatches(id, blanked(id, GITLEAKS_SAMPLES[id]!))).toBe(false);
  });
});

describe("goRegexToJs", () => {
  it.each([
    ["(?i)abc", "[aA][bB][cC]"],
    ["SG\\.(?i)[a-z0-9]{3}", "SG\\.[a-z0-9A-Z]{3}"],
    ["x(?i:ab)y", "x(?:[aA][bB])y"],
    ["(?i)a(?-i:Bc)d", "[aA](?:Bc)[dD]"],
    ["(?P<alg>ab)", "(?<alg>ab)"],
    ["(?i)[\\w.-]{0,3}", "[\\w.-]{0,3}"],
    ["(?i)[^a-f]", "[^a-fA-F]"],
    ["a\\z", "a(?![\\s\\S])"],
    ["(?i)\\x60k", "\\x60[kK]"],
  ])("%s → %s", (go, js) => {
    expect(goRegexToJs(go)).toBe(js);
  });

  it("keeps Go's semantics for a mid-pattern (?i): the prefix stays case-sensitive", () => {
    const re = new RegExp(`^${goRegexToJs("SG\\.(?i)[a-z]{3}$")}`);
    expect(re.test("SG.AbC")).toBe(true);
    expect(re.test("sg.abc")).toBe(false);
  });

  it("rejects constructs it cannot translate, so a new one cannot slip through unnoticed", () => {
    expect(() => goRegexToJs("(?s).")).toThrow();
    expect(() => goRegexToJs("[[:alpha:]]")).toThrow();
    expect(() => goRegexToJs("\\Qa.b\\E")).toThrow();
  });
});
