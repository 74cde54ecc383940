import { describe, expect, it } from "vitest";
import { escapeData } from "../../../src/reporters/github.js";
import { printable } from "../../../src/util/printable.js";
import { redactUrlCredentials } from "../../../src/util/redact.js";
import { insecureTransportReason } from "../../../src/llm/transport.js";

describe("printable", () => {
  it.each([
    ["src/a.ts", "src/a.ts"],
    ["src/ünïcödé 文件.ts", "src/ünïcödé 文件.ts"],
    ["a\nb.ts", "a\\nb.ts"],
    ["a\r\n::error title=INJECTED::x.ts", "a\\r\\n::error title=INJECTED::x.ts"],
    ["\u001b[2J\u001b]0;pwned\u0007.ts", "\\x1b[2J\\x1b]0;pwned\\x07.ts"],
    ["tab\there", "tab\\there"],
    ["evil\u202egnp.ts", "evil\\u202egnp.ts"],
    ["c1\u009b31m", "c1\\x9b31m"],
  ])("%j → %j", (input, expected) => {
    expect(printable(input)).toBe(expected);
  });

  it("leaves no line break and no ESC in any output", () => {
    const all = Array.from({ length: 0xa0 }, (_, i) => String.fromCharCode(i)).join("");
    expect(printable(all)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it("GitHub workflow commands escape % CR LF in data", () => {
    expect(escapeData("50%\r\n::error::x")).toBe("50%25%0D%0A::error::x");
  });
});

describe("redactUrlCredentials", () => {
  it.each([
    ["cannot reach https://alice:s3cret-pw@api.example.com/v1: refused", "cannot reach https://alice:<redacted>@api.example.com/v1: refused"],
    ["http://tok3n@host/v1", "http://<redacted>@host/v1"],
    ["https://api.example.com/v1", "https://api.example.com/v1"],
    ["mail me at a@b.c", "mail me at a@b.c"],
  ])("%j → %j", (input, expected) => {
    expect(redactUrlCredentials(input)).toBe(expected);
  });
});

describe("insecureTransportReason", () => {
  it.each([
    ["https://api.moonshot.ai/v1", false],
    ["http://127.0.0.1:8787/v1", false],
    ["http://localhost:11434/v1", false],
    ["http://[::1]:8080/v1", false],
    ["http://api.example.com/v1", true],
    ["http://10.0.0.5:8000/v1", true],
  ])("%s → refused: %s", (url, refused) => {
    expect(insecureTransportReason(url) !== null).toBe(refused);
  });
});
