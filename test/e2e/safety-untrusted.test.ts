// Issue 14 through the real CLI: transport refusal, URL credentials redacted, repo-derived names escaped in
// `swarm plan`, and the widened input scan (DeepSeek / lowercase sk- / Stripe test / SendGrid keys are never
// sent). Each case checks the exit code, the message, and that the user's repository is byte-identical.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { expectRepoUntouched, expectUsageFailure, hashEverything, reportPathOf, swarm, useSafetyFixture } from "./safety-support.js";

// Assembled at run time so this file holds no key-shaped literal.
const hex32 = "9f86d081884c7d659a2feaa0c55ad015";
const KEYS = {
  deepseek: "sk-" + hex32,
  lowercase: "sk-" + "q8f2lmz0x9kp4rt7vw1yb3nc6hd5jg2e",
  stripeTest: "sk_test_" + "51HcX2aB3dE5fG7hJ9kL1mN3",
  sendgrid: "SG." + "aB3dE5fG7hJ9kL1mN3pQ5r" + "." + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa9Xw8Vu7",
};
const TREE = {
  "src/app.ts": "export const app = 1;\n",
  "src/deepseek.ts": `export const key = "${KEYS.deepseek}";\n`,
  "src/lower.ts": `export const key = '${KEYS.lowercase}';\n`,
  "src/stripe.ts": `export const stripe = "${KEYS.stripeTest}";\n`,
  "src/mail.ts": `export const sg = "${KEYS.sendgrid}";\n`,
  "config/app.json": `{ "db": { "password": "hunter2-prod-db" } }\n`,
  "src/bad\n::error title=INJECTED::x.ts": "export const odd = 1;\n",
  "src/\u001b[2Jclear.ts": "export const esc = 1;\n",
};

// No reset before each test: the last describe runs the CLI once in beforeAll and its test reads the requests.
const fx = useSafetyFixture({ repo: TREE, resetEach: false });

describe("transport", () => {
  it("refuses a plain http:// endpoint that is not this machine (exit 2, nothing sent, nothing written)", async () => {
    const before = await hashEverything(fx.repo.dir);
    const result = await swarm(["run", fx.repo.dir, "-i", "Tidy", "--base-url", "http://api.example.com/v1"]);
    expectUsageFailure(result, "refusing to send the API key in clear text to http://api.example.com");
    expect(result.stderr).toContain("--allow-insecure-http");
    expect(await hashEverything(fx.repo.dir)).toEqual(before);
  });

  it("never prints a password given inside --base-url", async () => {
    const before = await hashEverything(fx.repo.dir);
    const password = "pw-" + "Zq81xLmN04";
    const result = await swarm(["run", fx.repo.dir, "-i", "Tidy", "--base-url", `http://alice:${password}@127.0.0.1:9/v1`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("alice:<redacted>@127.0.0.1:9");
    expect(result.stdout + result.stderr).not.toContain(password);
    expect(await hashEverything(fx.repo.dir)).toEqual(before);
  });
});

describe("swarm plan escapes repo-derived names", () => {
  it("no escape sequence reaches the terminal and no name forges a workflow command", async () => {
    const before = await fx.repo.snapshot();
    const result = await swarm(["plan", fx.repo.dir], { GITHUB_ACTIONS: "true" });
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout + result.stderr;
    expect(out).not.toContain("\u001b");
    expect(out).not.toMatch(/^::error/m);
    expect(out).toMatch(/bad\\n::error title=INJECTED::x\.ts|bad%0A::error/);
    expectRepoUntouched(before, await fx.repo.snapshot());
  });
});

describe("the input scan keeps the newly covered key kinds out of every prompt", () => {
  let result: Awaited<ReturnType<typeof swarm>>;
  beforeAll(async () => {
    fx.server.reset();
    const before = await fx.repo.snapshot();
    result = await swarm(["run", fx.repo.dir, "-i", "Tidy", "--roles", "refactor", "--base-url", fx.server.url, "--branch", "swarm/untrusted-scan"]);
    expectRepoUntouched(before, await fx.repo.snapshot(), "swarm/untrusted-scan");
  });

  it("sends only files without secrets, and lists each secret file as skipped without its secret", async () => {
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const sent = JSON.stringify(fx.server.requests.map((r) => r.messages));
    for (const [kind, key] of Object.entries(KEYS)) expect(sent, kind).not.toContain(key);
    expect(sent).not.toContain("hunter2-prod-db");
    expect(new Set(fx.server.requests.map((r) => r.file))).not.toContain("src/deepseek.ts");
    const plan = JSON.parse(await readFile(path.join(path.dirname(reportPathOf(result.stdout)!), "plan.json"), "utf8")) as { skips: { path: string; reason: string; detail: string }[] };
    const skipped = Object.fromEntries(plan.skips.map((s) => [s.path, s]));
    for (const file of ["src/deepseek.ts", "src/lower.ts", "src/stripe.ts", "src/mail.ts", "config/app.json"]) {
      expect(skipped[file]?.reason, file).toBe("secret-content");
    }
    expect(skipped["config/app.json"]!.detail).toContain('a literal credential in a config file (key "password")');
    for (const key of [...Object.values(KEYS), "hunter2-prod-db"]) expect(JSON.stringify(plan), key).not.toContain(key);
  });
});
