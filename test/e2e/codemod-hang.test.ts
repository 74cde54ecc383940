import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitRepo, tempDir, type TempRepo } from "../support/git-repo.js";
import { runCli } from "../support/run-cli.js";

// Issue 18: a codemod is user code. One whose promise can never settle (nothing left pending) used to let the
// event loop run dry: the process exited 0 having done nothing. It is that file's failure, like a throw.
// The built CLI (`npm run build` first): in a vitest worker the event loop never runs dry.
let repo: TempRepo;
let codemod: string;
beforeAll(async () => {
  repo = await gitRepo({ "package.json": '{ "name": "h", "type": "module" }\n', "src/a.js": "export var a = 1;\n", "src/stuck-1.js": "export var s = 1;\n", "src/stuck-2.js": "export var t = 2;\n" });
  codemod = path.join(tempDir("swarm-codemod-hang-"), "hang.mjs");
  await writeFile(codemod, 'export default function (file, ctx) {\n  if (ctx.path.includes("stuck")) return new Promise(() => {});\n}\n');
});
afterAll(() => repo?.cleanup());

describe("a codemod whose promise never settles", () => {
  it("fails each such file, one after the other, and the command goes on", async () => {
    const cli = await runCli(["estimate", repo.dir, "-i", "tidy", "--roles", "refactor", "--codemod", codemod, "--json"]);
    expect(cli.code, cli.stderr).toBe(0);
    const out = JSON.parse(cli.stdout) as { estimate: { byRole: { refactor: { tasks: number } }; assumptions: string[] } };
    expect(out.estimate.byRole.refactor.tasks).toBe(2);
    expect(out.estimate.assumptions.join("\n")).toMatch(/1 file\(s\) done without the model .*, 0 handed off, 2 failed/);
  }, 60_000);
});
