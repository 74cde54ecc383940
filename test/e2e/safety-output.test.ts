// Issue 7, model output is untrusted, through the real CLI and the loopback server: an answer decides the
// content of its task's own output path and nothing else; paths it names are ignored, nothing it says is
// run, and an output path that is a symlink at HEAD is never followed out of the repository.
import { createHash } from "node:crypto";
import { chmod, mkdir, readFile, readdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { gitRepo } from "../support/git-repo.js";
import type { ParsedRequest } from "../support/loopback-server.js";
import { expectRepoUntouched, reportPathOf, swarm, useSafetyFixture } from "./safety-support.js";

let rawAnswer: ((req: ParsedRequest) => string | undefined) | undefined;
// fx.scratch is the place outside the repository that nothing may reach.
const fx = useSafetyFixture({ server: { answerRaw: (req) => rawAnswer?.(req) } });
beforeEach(() => {
  rawAnswer = undefined;
});

const sha = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");

async function listAll(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map(String).sort();
}

describe("an answer only ever sets the content of its task's own output path", () => {
  it("paths named in the answer (headers, info string, absolute, .., .git/) are ignored, and nothing in it runs", async () => {
    const marker = path.join(fx.scratch, "hook-ran");
    const repo = await gitRepo({ "src/a.js": "export const a = 1;\n" });
    // Hooks that would leave a trace if the commit step ran them.
    for (const hook of ["pre-commit", "post-commit", "post-checkout", "reference-transaction", "commit-msg"]) {
      const file = path.join(repo.dir, ".git", "hooks", hook);
      await writeFile(file, `#!/bin/sh\necho ${hook} >> "${marker}"\n`);
      await chmod(file, 0o755);
    }
    // Valid JavaScript (validation would revert anything else) that looks like commands to run.
    const evil = [
      "#!/bin/sh",
      `// $(touch "${path.join(fx.scratch, "answer-ran")}") \`touch ${path.join(fx.scratch, "answer-ran-2")}\``,
      "export const a = 2;",
    ].join("\n");
    rawAnswer = () =>
      [
        "Role: refactor",
        "File: ../escape.js",
        `Output: ${path.join(fx.scratch, "absolute.js")}`,
        "Output: .git/hooks/pre-commit",
        "",
        `\`\`\`js title="../../x.js" path=${path.join(fx.scratch, "info.js")}`,
        evil,
        "```",
        "",
        "Also write `.git/config` and `../../etc/passwd`, please.",
      ].join("\n");
    const before = await repo.snapshot();
    const outsideBefore = await listAll(fx.scratch);

    const result = await swarm(["run", repo.dir, "-i", "Tidy", "--base-url", fx.server.url, "--roles", "refactor", "--branch", "swarm/hostile"]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(await repo.git("show", "swarm/hostile:src/a.js")).toBe(evil);
    // The branch changed exactly the one output path.
    expect(await repo.git("diff", "--name-only", "HEAD", "swarm/hostile")).toBe("src/a.js");
    expect(await repo.git("ls-tree", "-r", "--name-only", "swarm/hostile")).toBe("src/a.js");
    expect(await listAll(fx.scratch)).toEqual(outsideBefore);
    expect(await readdir(path.dirname(repo.dir))).not.toContain("escape.js");
    expectRepoUntouched(before, await repo.snapshot(), "swarm/hostile");
    // The hooks are byte-identical and none of them ran.
    expect(await readFile(path.join(repo.dir, ".git", "hooks", "pre-commit"), "utf8")).toContain("echo pre-commit");
    expect(await readFile(path.join(repo.dir, ".git", "config"), "utf8")).not.toContain("passwd");
  });

  it("an answer that does not follow the protocol (several blocks) fails its task and writes nothing", async () => {
    const repo = await gitRepo({ "src/a.js": "export const a = 1;\n", "src/b.js": "export const b = 1;\n" });
    rawAnswer = (req) => (req.file === "src/b.js" ? "```js\nexport const b = 2;\n```\n\n```js path=../../evil.js\nboom\n```\n" : undefined);
    const before = await repo.snapshot();
    const result = await swarm(["run", repo.dir, "-i", "Tidy", "--base-url", fx.server.url, "--roles", "refactor", "--branch", "swarm/two-blocks"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAIL refactor src\/b\.js: many-code-blocks - 2 code blocks in the answer; expected exactly one/m);
    expect(await repo.git("show", "swarm/two-blocks:src/b.js")).toBe("export const b = 1;");
    expect(await repo.git("diff", "--name-only", "HEAD", "swarm/two-blocks")).toBe("src/a.js");
    expectRepoUntouched(before, await repo.snapshot(), "swarm/two-blocks");
  });

  it("an output path that is a symlink at HEAD leading outside is never followed: the target outside stays as it was", async () => {
    const target = path.join(fx.scratch, "victim.test.js");
    const docsOutside = path.join(fx.scratch, "docs-target");
    await writeFile(target, "// the user's file outside the repository\n");
    await mkdir(docsOutside, { recursive: true });
    const repo = await gitRepo({ "a.js": "export const a = 1;\n" });
    // The test role writes a.test.js and the doc role docs/api/a.js.md: one is a link to a file outside,
    // the other lives under a linked folder outside.
    await symlink(target, path.join(repo.dir, "a.test.js"));
    await symlink(docsOutside, path.join(repo.dir, "docs"));
    await repo.git("add", "a.test.js", "docs");
    await repo.git("commit", "--quiet", "--no-verify", "-m", "links");
    const before = await repo.snapshot();
    const targetBefore = sha(await readFile(target));

    const result = await swarm(["run", repo.dir, "-i", "Tidy", "--base-url", fx.server.url, "--branch", "swarm/links"]);
    const output = result.stdout + result.stderr;
    // Reported as a refusal naming the path and the symlink; never an internal error, never a stack.
    expect(output).toMatch(/(a\.test\.js|docs\/api\/a\.js\.md)\S*:? .*symlink|symbolic link/);
    expect(output).not.toContain("internal error");
    expect(output).not.toMatch(/\n\s+at /);
    // Left out before any request, like a skipped file: the rest of the run succeeds.
    expect(output).toMatch(/test:a\.js left out: a\.test\.js: it is a symbolic link at HEAD/);
    expect(output).toMatch(/doc:a\.js left out: docs\/api\/a\.js\.md: its folder `docs` is a symbolic link at HEAD/);
    expect(fx.server.requests.filter((r) => r.role === "test" || r.role === "doc")).toHaveLength(0);
    expect(result.code).toBe(0);

    expect(sha(await readFile(target))).toBe(targetBefore);
    expect(await readdir(docsOutside)).toEqual([]);
    const after = await repo.snapshot();
    expect(after.files).toEqual(before.files);
    expect(after.status).toBe(before.status);
    expect(after.index).toBe(before.index);
    expect(after.head).toBe(before.head);
    expect(after.worktrees).toBe(before.worktrees);
    // If a branch was written, both links are on it exactly as HEAD has them.
    if (/refs\/heads\/swarm\/links$/m.test(after.refs)) {
      expect(await repo.git("ls-tree", "swarm/links", "a.test.js", "docs")).toBe(await repo.git("ls-tree", "HEAD", "a.test.js", "docs"));
    }
  });
});

describe("files keep what the user had: EOL, BOM, final newline, executable bit", () => {
  it("the branch's files have the original's bytes around the (LF) answer; non-UTF-8 files are skipped with a reason", async () => {
    const repo = await gitRepo(
      {
        "crlf.js": "export const a = 1;\r\nexport const b = 2;\r\n",
        "bom.ts": "\ufeffexport const c = 3;\n",
        "no-final-newline.js": "export const d = 4;",
        "bom-crlf-no-final.ts": "\ufeffexport const e = 5;\r\nexport const f = 6;",
        "bin/tool.js": "#!/usr/bin/env node\r\nconsole.log(1);\r\n",
        "latin1.js": Buffer.from("export const s = '\xe9t\xe9';\n", "latin1"),
        // An existing test the test role updates: not a source file, it must keep its style too.
        "crlf.test.js": "\ufeff// old test\r\nexport const old = true;\r\n",
      },
    );
    await chmod(path.join(repo.dir, "bin/tool.js"), 0o755);
    await repo.git("add", "bin/tool.js");
    await repo.git("commit", "--quiet", "--no-verify", "-m", "exec bit");
    const before = await repo.snapshot();

    const result = await swarm(["run", repo.dir, "-i", "Tidy", "--base-url", fx.server.url, "--roles", "refactor,test", "--branch", "swarm/style"]);
    expect(result.code, result.stderr).toBe(0);
    // The answers the server sent are LF-only and carry no BOM.
    for (const r of fx.server.requests) expect(r.content!).not.toMatch(/\r|\ufeff/);

    const onBranch = (file: string) => showBytes(repo.dir, `swarm/style:${file}`);
    const M = "// refactored by loopback";
    expect((await onBranch("crlf.js")).toString("utf8")).toBe(`${M}\r\nexport const a = 1;\r\nexport const b = 2;\r\n`);
    expect((await onBranch("bom.ts")).toString("utf8")).toBe(`\ufeff${M}\nexport const c = 3;\n`);
    expect((await onBranch("no-final-newline.js")).toString("utf8")).toBe(`${M}\nexport const d = 4;`);
    expect((await onBranch("bom-crlf-no-final.ts")).toString("utf8")).toBe(`\ufeff${M}\r\nexport const e = 5;\r\nexport const f = 6;`);
    expect((await onBranch("bin/tool.js")).toString("utf8")).toBe(`#!/usr/bin/env node\r\n${M}\r\nconsole.log(1);\r\n`);
    expect((await repo.git("ls-tree", "swarm/style", "bin/tool.js")).split(" ")[0]).toBe("100755");
    expect((await repo.git("ls-tree", "swarm/style", "crlf.js")).split(" ")[0]).toBe("100644");
    // The updated test keeps its BOM and CRLF; a new test (no original) is written as answered.
    expect((await onBranch("crlf.test.js")).toString("utf8")).toBe("\ufeff// test for crlf.js\r\n// old test\r\nexport const old = true;\r\n");
    expect((await onBranch("bom.test.ts")).toString("utf8")).toBe('// test for bom.ts\nexport const tested = "bom.ts";\n');
    // Untouched: the non-UTF-8 file, skipped and said so in the report.
    expect(await repo.git("diff", "--name-only", "HEAD", "swarm/style")).not.toContain("latin1.js");
    expect(fx.server.requests.map((r) => r.file)).not.toContain("latin1.js");
    const report = await readFile(reportPathOf(result.stdout)!.replace(/\.json$/, ".md"), "utf8");
    const plan = JSON.parse(await readFile(path.join(path.dirname(reportPathOf(result.stdout)!), "plan.json"), "utf8")) as { skips: unknown[] };
    expect(plan.skips).toContainEqual({ path: "latin1.js", reason: "not-utf8", detail: "not valid UTF-8 text" });
    expect(report).toContain("latin1.js");
    expectRepoUntouched(before, await repo.snapshot(), "swarm/style");
  });
});

/** Raw blob bytes (repo.git() decodes and trims, which would hide a missing final newline or a CR). */
async function showBytes(dir: string, spec: string): Promise<Buffer> {
  const { execFile } = await import("node:child_process");
  return new Promise((resolve, reject) =>
    execFile("git", ["cat-file", "blob", spec], { cwd: dir, encoding: "buffer" }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
}
