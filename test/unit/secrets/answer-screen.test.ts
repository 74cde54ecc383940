import { describe, expect, it } from "vitest";
import { answerByteCap, screenAnswer, type AnswerScreenInput } from "../../../src/secrets/index.js";
import { pick } from "./samples.js";

const KEY = `sk-loopback-${pick(24)}`;
const SOURCE = Array.from({ length: 10 }, (_, i) => `export const v${i} = ${i};`).join("\n") + "\n";
const base: AnswerScreenInput = { answer: SOURCE, source: SOURCE, role: "refactor", containsApiKey: (text) => text.includes(KEY), maxAnswerBytes: answerByteCap(SOURCE.length), maxDeletionRatio: 0.6, allowDeletions: false };
const screen = (over: Partial<AnswerScreenInput>) => screenAnswer({ ...base, ...over });

describe("screenAnswer", () => {
  it("passes an ordinary refactor", () => {
    expect(screen({ answer: SOURCE.replace(/const/g, "let") })).toEqual({ ok: true });
  });

  it.each([
    ["the API key, exactly", `export const k = "${KEY}";\n`, "answer contains a secret (api-key)"],
    ["a fake AWS key", `export const id = "AKIA${pick(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}";\n`, /^answer contains a secret \(aws-/],
    ["a GitHub token", `const t = "ghp_${pick(36)}";\n`, "answer contains a secret (github-pat)"],
    ["a private key block", `const k = "-----BEGIN PRIVATE KEY-----";\n`, "answer contains a secret (private-key-header)"],
    ["a high-entropy token on a new line", `export const blob = "${pick(48)}";\n`, "answer contains a secret (high-entropy)"],
  ])("rejects %s with a reason that names the rule, never the secret", (_name, tail, reason) => {
    const answer = SOURCE + tail;
    const verdict = screen({ answer });
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.rejection).toBe("secret");
    if (typeof reason === "string") expect(verdict.reason).toBe(reason);
    else expect(verdict.reason).toMatch(reason);
    expect(verdict.reason).not.toContain(tail.trim().slice(12, 30));
    expect(verdict.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("keeps a high-entropy token the source already had (an existing fixture is not new)", () => {
    const line = `export const blob = "${pick(48)}";`;
    expect(screen({ source: SOURCE + line + "\n", answer: SOURCE.replace(/const/g, "let") + line + "\n" })).toEqual({ ok: true });
  });

  it("ignores hex digests and UUIDs on new lines", () => {
    const answer = SOURCE + `const sha = "${pick(64, "0123456789abcdef")}";\nconst id = "3f2a9c1e-4b7d-4e8a-9c1f-2b3d4e5f6a7b";\n`;
    expect(screen({ answer })).toEqual({ ok: true });
  });

  it("rejects NUL and other C0 control bytes, but not tab, CR or LF", () => {
    expect(screen({ answer: SOURCE + "const a = '\u0000';\n" })).toMatchObject({ ok: false, rejection: "control-bytes" });
    expect(screen({ answer: SOURCE + "const a = '\u001b[31m';\n" })).toMatchObject({ ok: false, rejection: "control-bytes" });
    expect(screen({ answer: SOURCE.replace(/\n/g, "\r\n") + "\tconst a = 1;\n" })).toEqual({ ok: true });
  });

  it("caps the size at max(4 × source, 256 KB) unless configured", () => {
    expect(answerByteCap(95)).toBe(256 * 1024);
    expect(answerByteCap(1_000_000)).toBe(4_000_000);
    expect(answerByteCap(95, 1000)).toBe(1000);
    const verdict = screen({ answer: "x".repeat(256 * 1024 + 1) });
    expect(verdict).toMatchObject({ ok: false, rejection: "too-large" });
  });

  it("rejects a refactor that deletes more than the ratio of non-blank lines, unless allowed", () => {
    expect(screen({ answer: "PWNED\n" })).toMatchObject({ ok: false, rejection: "deletion", reason: expect.stringContaining("9 of 10") });
    expect(screen({ answer: "PWNED\n", allowDeletions: true })).toEqual({ ok: true });
    expect(screen({ answer: SOURCE.split("\n").slice(0, 5).join("\n") + "\n" })).toEqual({ ok: true });
    expect(screen({ answer: "PWNED\n", role: "test" })).toEqual({ ok: true });
  });

  it("screens a repair answer for mass deletion as it screens a refactor", () => {
    expect(screen({ answer: "PWNED\n", role: "repair" })).toMatchObject({ ok: false, rejection: "deletion" });
    expect(screen({ answer: SOURCE.replace(/const/g, "let"), role: "repair" })).toEqual({ ok: true });
  });
});
