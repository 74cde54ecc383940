import { chmod, mkdir, symlink, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Skip } from "../../src/core/types.js";
import { SwarmError } from "../../src/core/errors.js";
import { headTree, readBlobs, readHeadFiles, workingTreeStatus } from "../../src/git/head.js";
import { scanRepo, type ScanResult } from "../../src/scan/scan.js";
import { gitRepo, runGit, tempDir, type TempRepo } from "../support/git-repo.js";

const AWS_KEY = "AKIA" + "Q3EGRT7XWZ2PLM4N"; // assembled so this file does not look like a leak itself
const UNICODE_NAME = "src/ünïcødé file (1).js";

const options = {
  include: ["**/*.{js,ts}", "packages/*"],
  exclude: ["**/*.test.*", "**/node_modules/**"],
  maxFileBytes: 1000,
};

let repo: TempRepo;
let headSha: string;
let result: ScanResult;

beforeAll(async () => {
  repo = await gitRepo({
    "README.md": "# demo\n",
    ".gitignore": "node_modules/\nignored/\n*.gen.js\n",
    "src/a.js": "export const a = 1;\n",
    "src/a.test.js": "import { a } from './a.js';\n",
    "src/crlf.js": "const x = 1;\r\nconst y = 2;\r\n",
    "src/bom.ts": Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("export {};\n")]),
    "src/no-final-newline.js": "export const z = 3;",
    [UNICODE_NAME]: "export const u = 'ü';\n",
    "src/big.js": `// ${"x".repeat(1200)}\n`,
    "src/binary.js": Buffer.from([0x47, 0x49, 0x46, 0x00, 0x01]),
    "src/latin1.js": Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]),
    "src/empty.js": "",
    "src/config.js": `export const awsKey = "${AWS_KEY}";\n`,
    "src/deleted.js": "export const gone = true;\n",
    ".env": "TOKEN=abc\n",
    "config/secrets.json": "{}\n",
    "bin/cli.js": "#!/usr/bin/env node\nconsole.log('hi');\n",
  });
  const git = (...args: string[]) => repo.git(...args);
  const at = (p: string) => path.join(repo.dir, ...p.split("/"));

  // Second commit: a symlink, an executable, a force-added gitignored file, a submodule entry.
  await symlink("a.js", at("src/link.js"));
  await chmod(at("bin/cli.js"), 0o755);
  await writeFile(at("src/x.gen.js"), "export const generated = 1;\n");
  await git("add", "src/link.js", "bin/cli.js");
  await git("add", "-f", "src/x.gen.js");
  // A gitlink whose folder exists but is not populated, as after a clone without --recurse-submodules.
  await git("update-index", "--add", "--cacheinfo", `160000,${await git("rev-parse", "HEAD")},packages/sub`);
  await mkdir(at("packages/sub"), { recursive: true });
  await git("commit", "--quiet", "--no-verify", "-m", "second");
  headSha = await git("rev-parse", "HEAD");

  // Working-tree state that must not leak into the run.
  await writeFile(at("src/a.js"), "export const a = 'EDITED';\n");
  await unlink(at("src/deleted.js"));
  await writeFile(at("src/new.js"), "export const fresh = 1;\n");
  await mkdir(at("node_modules/pkg"), { recursive: true });
  await writeFile(at("node_modules/pkg/index.js"), "module.exports = 1;\n");
  await mkdir(at("ignored"), { recursive: true });
  await writeFile(at("ignored/y.js"), "1;\n");

  result = await scanRepo(repo.dir, options);
});

afterAll(async () => {
  await repo?.cleanup();
});

const skipOf = (p: string): Skip | undefined => result.skips.find((s) => s.path === p);

describe("scanRepo", () => {
  it("lists the source files HEAD holds, sorted", () => {
    expect(result.files.map((f) => f.path)).toEqual([
      "bin/cli.js",
      "src/a.js",
      "src/bom.ts",
      "src/crlf.js",
      "src/deleted.js",
      "src/no-final-newline.js",
      UNICODE_NAME,
    ]);
    expect(result.headSha).toBe(headSha);
  });

  it("reads content from HEAD, not the working tree", () => {
    const a = result.files.find((f) => f.path === "src/a.js");
    expect(a?.content).toBe("export const a = 1;\n");
    expect(result.files.find((f) => f.path === "src/deleted.js")?.content).toBe("export const gone = true;\n");
  });

  it("records encoding facts and modes", () => {
    const byPath = new Map(result.files.map((f) => [f.path, f]));
    expect(byPath.get("src/crlf.js")).toMatchObject({ eol: "\r\n", hasFinalNewline: true, hasBom: false });
    expect(byPath.get("src/bom.ts")).toMatchObject({ content: "export {};\n", hasBom: true, bytes: 14 });
    expect(byPath.get("src/no-final-newline.js")).toMatchObject({ hasFinalNewline: false, eol: "\n" });
    expect(byPath.get(UNICODE_NAME)?.content).toBe("export const u = 'ü';\n");
    expect(byPath.get("bin/cli.js")?.mode).toBe("100755");
    expect(byPath.get("src/a.js")?.mode).toBe("100644");
  });

  it("lists each skip with its reason", () => {
    expect(result.skips.map((s) => `${s.path}: ${s.reason}`)).toEqual([
      ".env: secret-name",
      "config/secrets.json: secret-name",
      "packages/sub: submodule",
      "src/big.js: too-large",
      "src/binary.js: binary",
      "src/config.js: secret-content",
      "src/empty.js: empty",
      "src/latin1.js: not-utf8",
      "src/link.js: symlink",
      "src/new.js: untracked",
    ]);
  });

  it("says why a secret was kept out without repeating it", () => {
    expect(skipOf("src/config.js")?.detail).toMatch(/AWS access key \(line 1\)/);
    expect(JSON.stringify(result)).not.toContain(AWS_KEY);
  });

  it("leaves out excluded, gitignored and unmatched files without listing them", () => {
    const listed = new Set([...result.files.map((f) => f.path), ...result.skips.map((s) => s.path)]);
    for (const p of ["src/a.test.js", "src/x.gen.js", "node_modules/pkg/index.js", "ignored/y.js", "README.md", ".gitignore"]) {
      expect(listed.has(p), p).toBe(false);
    }
  });

  it("lists every blob path at HEAD for conventions", () => {
    expect(result.allPaths).toContain("README.md");
    expect(result.allPaths).toContain("src/a.test.js");
    expect(result.allPaths).toContain("src/x.gen.js");
    expect(result.allPaths).toContain("src/link.js");
    expect(result.allPaths).not.toContain("packages/sub");
    expect(result.allPaths).not.toContain("src/new.js");
    expect([...result.allPaths].sort()).toEqual(result.allPaths);
  });

  it("warns that uncommitted changes are not part of the run", () => {
    expect(result.warnings).toEqual([
      `2 uncommitted changes are not part of this run (it works from HEAD ${headSha.slice(0, 7)})`,
    ]);
  });

  it("is deterministic", async () => {
    expect(await scanRepo(repo.dir, options)).toEqual(result);
  });

  it("warns when nothing matches include", async () => {
    const none = await scanRepo(repo.dir, { ...options, include: ["**/*.rs"] });
    expect(none.files).toEqual([]);
    expect(none.warnings.at(-1)).toMatch(/^no file at HEAD matches include \(\*\*\/\*\.rs\)/);
    // Secret-named files are listed even when include matches nothing.
    expect(none.skips.map((s) => s.path)).toEqual([".env", "config/secrets.json"]);
  });

  it("include can name a directory (globby expands it)", async () => {
    const bin = await scanRepo(repo.dir, { ...options, include: ["bin"] });
    expect(bin.files.map((f) => f.path)).toEqual(["bin/cli.js"]);
  });
});

describe("git/head", () => {
  it("headTree reports modes, types and sizes", async () => {
    const tree = await headTree(repo.dir);
    const byPath = new Map(tree.map((e) => [e.path, e]));
    expect(byPath.get("src/link.js")).toMatchObject({ mode: "120000", type: "blob", size: 4 });
    expect(byPath.get("packages/sub")).toMatchObject({ mode: "160000", type: "commit", size: 0 });
    expect(byPath.get(UNICODE_NAME)).toMatchObject({ mode: "100644", type: "blob", isPathUtf8: true });
    expect(byPath.get("src/empty.js")?.size).toBe(0);
  });

  it("readBlobs returns exact bytes, including empty and duplicate blobs", async () => {
    const tree = await headTree(repo.dir);
    const oidOf = (p: string) => tree.find((e) => e.path === p)!.oid;
    const oids = [oidOf("src/binary.js"), oidOf("src/empty.js"), oidOf("src/crlf.js"), oidOf("src/binary.js")];
    const blobs = await readBlobs(repo.dir, oids);
    expect(blobs.size).toBe(3);
    expect(blobs.get(oidOf("src/binary.js"))).toEqual(Buffer.from([0x47, 0x49, 0x46, 0x00, 0x01]));
    expect(blobs.get(oidOf("src/empty.js"))?.length).toBe(0);
    expect(blobs.get(oidOf("src/crlf.js"))?.toString()).toBe("const x = 1;\r\nconst y = 2;\r\n");
  });

  it("readBlobs rejects an object that does not exist", async () => {
    await expect(readBlobs(repo.dir, ["0".repeat(40)])).rejects.toThrow(/missing/);
  });

  it("readHeadFiles returns HEAD's text of regular UTF-8 files only", async () => {
    const files = await readHeadFiles(repo.dir, ["src/a.js", "src/bom.ts", "src/link.js", "nope.js", "src/latin1.js", "packages/sub"]);
    expect([...files.entries()]).toEqual([
      ["src/a.js", "export const a = 1;\n"],
      ["src/bom.ts", "export {};\n"],
    ]);
    expect((await readHeadFiles(repo.dir, [])).size).toBe(0);
  });

  it("workingTreeStatus lists changes and untracked files, not ignored ones", async () => {
    const status = await workingTreeStatus(repo.dir);
    expect(status.changes.map((c) => `${c.index}${c.worktree} ${c.path}`).sort()).toEqual([" D src/deleted.js", " M src/a.js"]);
    expect(status.untracked).toEqual(["src/new.js"]);
  });
});

describe("scanRepo on unusual repositories", () => {
  it("a folder that is not a repository is a SwarmError", async () => {
    const error = await scanRepo(tempDir("swarm-norepo-"), options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SwarmError);
    expect(error).toMatchObject({ code: "SWARM_NOT_A_REPO" });
  });

  it("a repository without commits is a SwarmError", async () => {
    const dir = tempDir("swarm-empty-");
    await runGit(dir, ["init", "--quiet", "--initial-branch=main"]);
    await expect(scanRepo(dir, options)).rejects.toMatchObject({ code: "SWARM_NO_COMMITS" });
  });

  it("a clean repository gives no warnings, and renamed files are handled", async () => {
    const clean = await gitRepo({ "a.js": "1;\n", "b.js": "2;\n" });
    try {
      expect((await scanRepo(clean.dir, options)).warnings).toEqual([]);
      await clean.git("mv", "a.js", "c.js");
      const status = await workingTreeStatus(clean.dir);
      expect(status.changes).toEqual([{ path: "c.js", index: "R", worktree: " ", origPath: "a.js" }]);
      expect((await scanRepo(clean.dir, options)).warnings[0]).toMatch(/^1 uncommitted change is not part/);
    } finally {
      await clean.cleanup();
    }
  });

  it("a file name that is not UTF-8 is skipped, not mangled into a different path", async () => {
    const odd = await gitRepo({ "ok.js": "1;\n" });
    try {
      const name = Buffer.concat([Buffer.from(path.join(odd.dir, "caf")), Buffer.from([0xe9]), Buffer.from(".js")]);
      await writeFile(name, "1;\n");
      await odd.git("add", "-A");
      await odd.git("commit", "--quiet", "--no-verify", "-m", "latin1 name");
      const scan = await scanRepo(odd.dir, { ...options, include: ["**/*"] });
      expect(scan.files.map((f) => f.path)).toEqual(["ok.js"]);
      expect(scan.skips).toEqual([{ path: "caf\uFFFD.js", reason: "not-utf8", detail: "the file name is not valid UTF-8" }]);
    } finally {
      await odd.cleanup();
    }
  });
});
