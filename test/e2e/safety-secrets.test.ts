// Issue 7, secrets, through the real CLI and the loopback server: files with secret-looking names or
// contents are never sent (checked against every byte the server received), are listed as skipped without
// repeating the secret, and the API key appears nowhere: not on stdout/stderr, not in the run directory,
// not in any blob or message on the branch, not even when the endpoint echoes it back in a 401.
import { createServer } from "node:http";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { gitRepo, runGit, type TempRepo } from "../support/git-repo.js";
import { startLoopbackServer } from "../support/loopback-server.js";
import { RECOGNISABLE_KEY, expectRepoUntouched, expectUsageFailure, hashEverything, listenLocal, reportPathOf, swarm, useSafetyFixture } from "./safety-support.js";

// Built by concatenation so this test file itself does not look like it holds keys.
const SECRETS = {
  aws: "AKIA" + "Z7QX4MPLR2VN8KDT",
  github: "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
  slack: "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
  openai: "sk-proj-" + "Q8f2LmZ0x9Kp4Rt7Vw1Yb3Nc6Hd5Jg",
  gcpKey: "AIza" + "SyD3f9Kx7Lm2Qp8Rt5Vw1Yb4Nc6Hd0Jg3Ze",
  privateKeyBody: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7" + "SAFETYPRIVATEKEYBODY",
  envValue: "hunter2-" + "env-file-value-7731",
  pem: "PEMFILEBODY" + "-9f8e7d6c5b4a",
};

/** What the repository holds: one plain file, and a file per way a secret can show up. */
const TREE = {
  "src/app.js": 'import { region } from "./aws-config.js";\nexport const name = "app" + region;\n',
  "src/aws-config.js": `export const region = "eu-west-1";\nexport const accessKeyId = "${SECRETS.aws}";\n`,
  "src/github.js": `export const token = "${SECRETS.github}";\n`,
  "src/slack.ts": `export const hook = "${SECRETS.slack}";\n`,
  "src/openai.ts": `export const client = { apiKey: "${SECRETS.openai}" };\n`,
  "src/maps.js": `export const mapsKey = "${SECRETS.gcpKey}";\n`,
  "src/gcp-key.js": `export const sa = { private_key: "-----BEGIN PRIVATE KEY-----\\n${SECRETS.privateKeyBody}\\n-----END PRIVATE KEY-----\\n" };\n`,
  ".env": `API_TOKEN=${SECRETS.envValue}\n`,
  "config/server.pem": `-----BEGIN CERTIFICATE-----\n${SECRETS.pem}\n-----END CERTIFICATE-----\n`,
  "src/secrets.js": `export default { db: "${SECRETS.envValue}" };\n`,
};
const SECRET_FILES: Record<string, string> = {
  "src/aws-config.js": "secret-content",
  "src/github.js": "secret-content",
  "src/slack.ts": "secret-content",
  "src/openai.ts": "secret-content",
  "src/maps.js": "secret-content",
  "src/gcp-key.js": "secret-content",
  ".env": "secret-name",
  "config/server.pem": "secret-name",
  "src/secrets.js": "secret-name",
};

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** Every place a run leaves text: its output, its run directory and everything reachable from its branch. */
async function everythingTheRunLeft(repo: TempRepo, result: { stdout: string; stderr: string }, branch: string | null): Promise<string> {
  const parts = [result.stdout, result.stderr];
  const runs = path.join(repo.dir, ".swarm", "runs");
  for (const file of await filesUnder(runs).catch(() => [])) parts.push(`${file}\n${await readFile(file, "utf8")}`);
  if (branch) {
    parts.push(await runGit(repo.dir, ["log", "-p", "--all", "--format=%H%n%B", "--binary"]));
    const blobs = (await runGit(repo.dir, ["ls-tree", "-r", "--format=%(objectname)", branch])).split("\n").filter(Boolean);
    for (const oid of blobs) parts.push(await runGit(repo.dir, ["cat-file", "-p", oid]));
  }
  return parts.join("\n");
}

// No reset before each test: a describe below runs the CLI once in beforeAll and its tests read the requests.
const fx = useSafetyFixture({ resetEach: false });

describe("secret files are never sent, and are listed as skipped without the secret", () => {
  let repo: TempRepo;
  let result: Awaited<ReturnType<typeof swarm>>;
  let left: string;
  beforeAll(async () => {
    repo = await gitRepo(TREE);
    fx.server.reset();
    const before = await repo.snapshot();
    result = await swarm(["run", repo.dir, "-i", "Tidy", "--base-url", fx.server.url, "--branch", "swarm/secrets"]);
    expectRepoUntouched(before, await repo.snapshot(), "swarm/secrets");
    left = await everythingTheRunLeft(repo, result, "swarm/secrets");
  });

  it("runs the one plain file", () => {
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(new Set(fx.server.requests.map((r) => r.file))).toEqual(new Set(["src/app.js"]));
  });

  it("no request carries any secret, in any message", () => {
    const sent = JSON.stringify(fx.server.requests.map((r) => r.messages));
    expect(sent.length).toBeGreaterThan(1000);
    for (const [kind, secret] of Object.entries(SECRETS)) expect(sent, kind).not.toContain(secret);
  });

  it("the plan lists each secret file with its reason, and the reasons do not repeat the secret", async () => {
    const planFile = path.join(path.dirname(reportPathOf(result.stdout)!), "plan.json");
    const plan = JSON.parse(await readFile(planFile, "utf8")) as { skips: { path: string; reason: string; detail: string }[] };
    const skipped = Object.fromEntries(plan.skips.map((s) => [s.path, s.reason]));
    expect(skipped).toMatchObject(SECRET_FILES);
    expect(plan.skips.find((s) => s.path === "src/aws-config.js")!.detail).toBe("contains what looks like an AWS access key (line 2); kept out of every prompt");
    const report = await readFile(reportPathOf(result.stdout)!.replace(/\.json$/, ".md"), "utf8");
    for (const file of Object.keys(SECRET_FILES)) expect(report).toContain(file);
  });

  it("neither the output, the run directory nor the run's commits hold a secret; nothing at all holds the API key", async () => {
    const runText = await everythingTheRunLeft(repo, result, null);
    // The branch starts from HEAD, which holds the secrets; what the run added is HEAD..branch.
    const added = await runGit(repo.dir, ["log", "-p", "--format=%H%n%B", "HEAD..swarm/secrets"]);
    expect(added).toContain("swarm(refactor)");
    for (const [kind, secret] of Object.entries(SECRETS)) {
      expect(runText, kind).not.toContain(secret);
      expect(added, kind).not.toContain(secret);
    }
    expect(left).not.toContain(RECOGNISABLE_KEY);
  });

  it("the secret files are byte-identical on the branch (the run did not touch them)", async () => {
    for (const file of Object.keys(SECRET_FILES)) {
      expect(await runGit(repo.dir, ["rev-parse", `swarm/secrets:${file}`]), file).toBe(await runGit(repo.dir, ["rev-parse", `HEAD:${file}`]));
    }
  });

  // KNOWN BUG, outside this files: prepareRun (src/pipeline.ts) reads the HEAD content of output
  // paths that already exist (readHeadFiles → existingOutputs) and sends it to the test/doc task without
  // the secret filters, so a committed test holding a key goes out. Fix there: drop (skip) a task whose
  // existing output has secretNameReason/secretContentReason, then drop `.fails`.
  it("an existing test file holding a secret is not sent with its file's test task", async () => {
    const own = await gitRepo({ "src/util.js": "export const one = 1;\n", "src/util.test.js": `// fixture\nconst key = "${SECRETS.aws}";\n` });
    fx.server.reset();
    const run = await swarm(["run", own.dir, "-i", "Tidy", "--base-url", fx.server.url, "--roles", "refactor,test", "--branch", "swarm/t"]);
    expect(run.code).not.toBe(70);
    expect(JSON.stringify(fx.server.requests.map((r) => r.messages))).not.toContain(SECRETS.aws);
    expect(run.stdout + run.stderr).toMatch(/test:src\/util\.js left out: src\/util\.test\.js: it exists at HEAD and .*; it is never sent/);
    expect(run.stdout + run.stderr).not.toContain(SECRETS.aws);
    expect(fx.server.requests.filter((r) => r.role === "test")).toHaveLength(0);
  });
});

describe("the API key never appears anywhere, error paths included", () => {
  it("a 401 from the preflight whose body echoes the key: one line naming the variable, the key redacted", async () => {
    const echo = createServer((req, res) => {
      const auth = req.headers.authorization ?? "";
      const body = JSON.stringify({ error: { message: `Incorrect API key provided: ${auth.replace(/^Bearer /, "")}`, type: "invalid_request_error", code: "invalid_api_key" } });
      res.writeHead(401, { "content-type": "application/json" }).end(body);
    });
    const url = await listenLocal(echo);
    const repo = await gitRepo({ "src/a.js": "export const a = 1;\n" });
    try {
      const before = await hashEverything(repo.dir);
      const result = await swarm(["run", repo.dir, "-i", "Tidy", "--base-url", url]);
      expectUsageFailure(result, /^swarm: the API key in MOONSHOT_API_KEY was rejected \(HTTP 401: /);
      expect(result.stdout + result.stderr).not.toContain(RECOGNISABLE_KEY);
      expect(await hashEverything(repo.dir)).toEqual(before);
    } finally {
      await new Promise((resolve) => echo.close(resolve));
    }
  });

  it("a 401 in the middle of the run whose message echoes the key: run dir, report and branch hold no key", async () => {
    const midRun = await startLoopbackServer({
      faults: [{ match: { file: "src/b.js" }, fault: { kind: "status", status: 401, message: `Incorrect API key provided: ${RECOGNISABLE_KEY}` } }],
    });
    const repo = await gitRepo({ "src/a.js": "export const a = 1;\n", "src/b.js": "export const b = 1;\n" });
    try {
      const result = await swarm(["run", repo.dir, "-i", "Tidy", "--base-url", midRun.url, "--roles", "refactor", "--concurrency", "1", "--branch", "swarm/auth"]);
      expect(result.code).toBe(2);
      expect(result.stdout + result.stderr).toMatch(/API key in MOONSHOT_API_KEY was rejected/);
      const branches = await runGit(repo.dir, ["branch", "--list", "swarm/auth"]);
      const left = await everythingTheRunLeft(repo, result, branches.trim() ? "swarm/auth" : null);
      expect(left).toContain("journal.jsonl");
      expect(left).not.toContain(RECOGNISABLE_KEY);
    } finally {
      await midRun.close();
    }
  });
});
