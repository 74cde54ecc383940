import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ensureDir, readJson, writeFileAtomic } from "../../../src/util/fs.js";
import { tempDir } from "../../support/git-repo.js";

const temp = (): string => tempDir("swarm-fs-");

describe("writeFileAtomic", () => {
  it("creates and replaces a file, leaving no temp files", async () => {
    const dir = temp();
    const file = path.join(dir, "plan.json");
    await writeFileAtomic(file, "one\n");
    await writeFileAtomic(file, Buffer.from("two\n"));
    expect(readFileSync(file, "utf8")).toBe("two\n");
    expect(readdirSync(dir)).toEqual(["plan.json"]);
  });

  it("sets the mode exactly, regardless of umask", async () => {
    const file = path.join(temp(), "run.sh");
    await writeFileAtomic(file, "#!/bin/sh\n", { mode: 0o755 });
    expect(statSync(file).mode & 0o777).toBe(0o755);
  });

  it("fails without leaving a temp file when the directory is missing", async () => {
    const dir = temp();
    await expect(writeFileAtomic(path.join(dir, "missing", "x.json"), "x")).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("readJson / ensureDir", () => {
  it("parses JSON and names the file when it is not JSON", async () => {
    const dir = temp();
    writeFileSync(path.join(dir, "ok.json"), '{"a":1}');
    writeFileSync(path.join(dir, "bad.json"), "{nope");
    expect(await readJson(path.join(dir, "ok.json"))).toEqual({ a: 1 });
    await expect(readJson(path.join(dir, "bad.json"))).rejects.toThrow(/bad\.json: not valid JSON/);
  });

  it("creates nested directories idempotently", async () => {
    const dir = path.join(temp(), "a", "b", "c");
    expect(await ensureDir(dir)).toBe(dir);
    await ensureDir(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
  });
});
