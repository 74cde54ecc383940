import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { abbreviateMiddle, packParts, wrapWords } from "../../../src/ui/fit-text.js";

describe("fit-text (issue 17)", () => {
  it("abbreviates a path in its middle, keeping both ends", () => {
    expect(abbreviateMiddle("packages/server/src/monitor-types/smtp.ts", 24)).toBe("packages/…-types/smtp.ts");
    expect([...abbreviateMiddle("packages/server/src/monitor-types/smtp.ts", 24)].length).toBe(24);
    expect(abbreviateMiddle("src/a.ts", 24)).toBe("src/a.ts");
  });

  it("wraps words and breaks a word longer than a row", () => {
    expect(wrapWords("HTTP 400: content rejected by the filter", 16)).toEqual(["HTTP 400:", "content rejected", "by the filter"]);
    expect(wrapWords("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
    expect(wrapWords("", 10)).toEqual([""]);
  });

  it("keeps every character and never passes the width", () => {
    const text = fc.stringMatching(/^[a-z .:/-]{0,200}$/);
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 40 }), (t, width) => {
        const rows = wrapWords(t, width);
        for (const row of rows) expect([...row].length).toBeLessThanOrEqual(width);
        expect(rows.join("").replace(/\s+/g, "")).toBe(t.replace(/\s+/g, ""));
      }),
      { seed: 17, numRuns: 300 },
    );
  });

  it("packs parts onto as few rows as the width allows, breaking only between parts", () => {
    const parts = ["swarm run 20261205-065012-a1b2", "kimi-k2.6", "refactor, test, doc", "903 tasks, 301 files (2 skipped)"];
    expect(packParts(parts, 200)).toEqual(["swarm run 20261205-065012-a1b2 · kimi-k2.6 · refactor, test, doc · 903 tasks, 301 files (2 skipped)"]);
    expect(packParts(parts, 80)).toEqual(["swarm run 20261205-065012-a1b2 · kimi-k2.6 · refactor, test, doc", "903 tasks, 301 files (2 skipped)"]);
    expect(packParts(["a very long part indeed"], 10)).toEqual(["a very", "long part", "indeed"]);
  });
});
