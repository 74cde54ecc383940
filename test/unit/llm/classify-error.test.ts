import { describe, expect, it } from "vitest";
import { classifyFailure, retryAfterMs } from "../../../src/llm/classify-error.js";

describe("classifyFailure", () => {
  it.each([
    { f: { status: 429, message: "slow down", headers: { "retry-after": "2" } }, failure: "transient", code: "rate-limited", retryAfterMs: 2000 },
    { f: { status: 500, message: "boom" }, failure: "transient", code: "server-error" },
    { f: { status: 503, message: "busy", headers: { "retry-after-ms": "250" } }, failure: "transient", code: "server-error", retryAfterMs: 250 },
    { f: { status: 408, message: "timeout" }, failure: "transient", code: "server-error" },
    { f: { status: 409, message: "conflict" }, failure: "transient", code: "server-error" },
    { f: { status: 400, message: "bad" }, failure: "fatal-task", code: "bad-request" },
    { f: { status: 404, message: "no model" }, failure: "fatal-task", code: "bad-request" },
    { f: { status: 422, message: "nope" }, failure: "fatal-task", code: "bad-request" },
    { f: { status: 401, message: "bad key" }, failure: "fatal-run", code: "auth" },
    { f: { status: 403, message: "forbidden" }, failure: "fatal-run", code: "auth" },
    { f: { message: "ECONNRESET", connection: true }, failure: "transient", code: "connection" },
    { f: { message: "no answer", timedOut: true }, failure: "transient", code: "timeout" },
    { f: { message: "aborted", aborted: true }, failure: "fatal-task", code: "aborted" },
  ])("$f.status $f.message → $failure $code", ({ f, failure, code, retryAfterMs: after }) => {
    const c = classifyFailure(f, "MOONSHOT_API_KEY");
    expect(c.failure).toBe(failure);
    expect(c.info.code).toBe(code);
    expect(c.retryAfterMs).toBe(after);
  });

  it("names the variable, not the key, when the key is rejected", () => {
    expect(classifyFailure({ status: 401, message: "Invalid key" }, "MOONSHOT_API_KEY").info.message).toBe(
      "the API key in MOONSHOT_API_KEY was rejected (HTTP 401: Invalid key)",
    );
  });
});

describe("retryAfterMs", () => {
  it("prefers retry-after-ms and reads HTTP dates", () => {
    expect(retryAfterMs({ "retry-after-ms": "10", "retry-after": "5" })).toBe(10);
    expect(retryAfterMs({ "retry-after": "Thu, 01 Jan 1970 00:00:10 GMT" }, 4000)).toBe(6000);
    expect(retryAfterMs({ "retry-after": "soon" })).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
