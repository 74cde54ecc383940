import { execFile } from "node:child_process";
import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateWorkingTree } from "../../src/validate/working-tree.js";
import { checkChanges, computeBaseline } from "../../src/validate/baseline.js";
import { IMPORT_EXPORT_CODES } from "../../src/validate/tsc-diagnostics.js";
import { FIXTURES_DIR, gitRepo, type TempRepo } from "../support/git-repo.js";

// The "done when": on fixtures/ts-lib with injected breaks, the files the validator flags are
// the files `tsc --noEmit` flags with import/export errors — using the project's own tsc and the
// fixture's tsconfig on a temp git copy.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSC = path.join(ROOT, "node_modules", ".bin", process.platform === "win32" ? "tsc.cmd" : "tsc");

function tsc(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(TSC, ["-p", "tsconfig.json", ...args], { cwd }, (_error, stdout, stderr) => resolve(stdout + stderr));
  });
}

/** Files tsc reports with an import/export error code, repo-relative. */
async function tscFlagged(dir: string): Promise<{ files: string[]; lines: string[] }> {
  const output = await tsc(dir, ["--noEmit", "--pretty", "false"]);
  const lines = output.split("\n").filter((l) => /\): error TS\d+:/.test(l));
  const files = new Set<string>();
  for (const line of lines) {
    const match = /^(.+?)\(\d+,\d+\): error TS(\d+):/.exec(line);
    if (match && IMPORT_EXPORT_CODES.has(Number(match[2]))) files.add(match[1]!.replaceAll("\\", "/"));
  }
  return { files: [...files].sort(), lines };
}

async function listFiles(dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    if (entry.name === ".git") continue;
    const child = rel === "" ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, child)));
    else out.push(child);
  }
  return out;
}

async function readTree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const p of await listFiles(dir)) if (/\.(ts|json)$/.test(p)) files.set(p, await readFile(path.join(dir, p), "utf8"));
  return files;
}

interface Edit {
  file: string;
  from: string;
  to: string;
}

const RENAME: Edit = { file: "src/duration.ts", from: "export function toMs(", to: "export function toMilliseconds(" };
const WRONG_PATH: Edit = { file: "src/schema/validate.ts", from: `from "../result.js"`, to: `from "../results.js"` };
const NO_DEFAULT: Edit = { file: "src/cache.ts", from: "export default class LruCache", to: "export class LruCache" };
const NO_EXTENSION: Edit = { file: "src/schema/describe.ts", from: `from "../util/strings.js"`, to: `from "../util/strings"` };
const BEHIND_STAR: Edit[] = [
  { file: "src/result.ts", from: "export function unwrapOr<", to: "export function unwrapOrElse<" },
  {
    file: "src/retry.ts",
    from: `import type { RetryOptions } from "./types.js";`,
    to: `import type { RetryOptions } from "./types.js";\nimport { unwrapOr } from "./index.js";\nvoid unwrapOr;`,
  },
];
const TYPE_RENAME: Edit = { file: "src/types.ts", from: "export interface CacheOptions {", to: "export interface LruOptions {" };

// Each scenario costs one tsc run (~2 s of CPU), so the rarer kinds share one.
const BREAKS: Record<string, Edit[]> = {
  "renamed export": [RENAME],
  "wrong relative path": [WRONG_PATH],
  "removed default export": [NO_DEFAULT],
  "dropped .js under NodeNext, a name gone behind export *, a renamed type": [NO_EXTENSION, ...BEHIND_STAR, TYPE_RENAME],
};
BREAKS["all at once"] = Object.values(BREAKS).flat();

describe("validator vs tsc --noEmit on fixtures/ts-lib", () => {
  let repo: TempRepo;
  let head: string;
  let headFiles: Map<string, string>;
  let projectFiles: Set<string>;

  beforeAll(async () => {
    repo = await gitRepo("ts-lib");
    head = await repo.git("rev-parse", "HEAD");
    headFiles = await readTree(path.join(FIXTURES_DIR, "ts-lib"));
    // The files tsc checks: the tsconfig excludes the tests, which the validator checks too.
    const listed = await tsc(repo.dir, ["--listFilesOnly"]);
    projectFiles = new Set(
      listed
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l.startsWith(repo.dir))
        .map((l) => path.relative(repo.dir, l).replaceAll("\\", "/")),
    );
  });
  afterAll(() => repo.cleanup());

  // test/unit/support/fixtures.test.ts proves tsc is clean at HEAD.
  it("tsc's project holds the sources, not the tests", () => {
    expect(projectFiles.has("src/index.ts")).toBe(true);
    expect(projectFiles.has("src/cache.test.ts")).toBe(false);
  });

  for (const [name, edits] of Object.entries(BREAKS)) {
    it(name, async () => {
      await repo.git("checkout", "--quiet", "--", ".");
      for (const { file, from, to } of edits) {
        const absolute = path.join(repo.dir, file);
        const text = await readFile(absolute, "utf8");
        expect(text, `${file} contains the text to break`).toContain(from);
        await writeFile(absolute, text.replace(from, to));
      }
      // The whole validator, as `swarm validate` runs it (git HEAD vs working tree, graph + in-memory
      // compiler), in this process while tsc runs in its own.
      const [expected, outcome] = await Promise.all([tscFlagged(repo.dir), validateWorkingTree(repo.dir, head)]);
      expect(expected.files.length, expected.lines.join("\n")).toBeGreaterThan(0);
      // The public-API guard (package.json entry points losing exports) is no compiler error: tsc parity leaves it out.
      const flagged = [...new Set(outcome.problems.filter((p) => p.code !== "public-api").map((p) => p.file))].sort();
      expect(flagged.filter((f) => projectFiles.has(f)), expected.lines.join("\n")).toEqual(expected.files);
      // What it flags beyond tsc are the excluded tests, which break the same way.
      for (const extra of flagged.filter((f) => !projectFiles.has(f))) expect(extra).toMatch(/\.test\.ts$/);

      // The graph checks alone, without the compiler, agree too.
      const after = await readTree(repo.dir);
      const graphOnly = checkChanges(computeBaseline(headFiles, { typescript: false }), { written: after });
      const graphFlagged = [...new Set(graphOnly.problems.filter((p) => p.code !== "public-api").map((p) => p.file))].filter((f) => projectFiles.has(f)).sort();
      expect(graphFlagged, expected.lines.join("\n")).toEqual(expected.files);
    });
  }
});
