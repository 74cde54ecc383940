// Shared by test/e2e/safety-*.test.ts: spawn the real CLI against real repos and prove what it left alone.
import { createHash } from "node:crypto";
import { lstat, readFile, readdir, readlink } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { gitRepo, tempDir, type InlineTree, type RepoSnapshot, type TempRepo } from "../support/git-repo.js";
import { startLoopbackServer, type LoopbackOptions, type LoopbackServer } from "../support/loopback-server.js";
import { cliEnv, runCli, type CliResult } from "../support/run-cli.js";

/** A key nobody would type by accident, so a grep for it cannot match anything else. */
export const RECOGNISABLE_KEY = "sk-SAFETY-e2e-Recognisable-0123456789-KEY";

/**
 * The CLI environment for these tests. GIT_CEILING_DIRECTORIES stops git from finding a repository
 * above the temp dir (a CI runner may keep its checkout there), so "not a repository" stays true.
 */
function safetyEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return cliEnv({ MOONSHOT_API_KEY: RECOGNISABLE_KEY, GIT_CEILING_DIRECTORIES: tmpdir(), ...extra });
}

export function swarm(args: string[], extra: Record<string, string | undefined> = {}): Promise<CliResult> {
  return runCli(args, { env: safetyEnv(extra) });
}

export interface SafetyFixture {
  /** The loopback server, one for the file (reset before each test unless `resetEach: false`). */
  server: LoopbackServer;
  /** The file's shared repository, made from `repo` once: only when `repo` is given. */
  repo: TempRepo;
  /** An empty directory outside any repository, for config files and "outside" paths. */
  scratch: string;
  /** For cases that must fail before writing: the shared repository, .git included, is byte-identical. */
  expectNothingWritten(): Promise<void>;
}

/**
 * The setup every safety file shares: the loopback server started once and closed at the end, a scratch
 * dir and optionally one repository (both removed with the file by the kit). Call at the top of the file.
 */
export function useSafetyFixture(options: { server?: LoopbackOptions; repo?: InlineTree; resetEach?: boolean } = {}): SafetyFixture {
  let bytesBefore: Record<string, string> = {};
  // server, scratch and repo are filled in by beforeAll, before any test reads them.
  const fixture = {
    async expectNothingWritten() {
      expect(await hashEverything(fixture.repo.dir)).toEqual(bytesBefore);
    },
  } as SafetyFixture;
  beforeAll(async () => {
    fixture.server = await startLoopbackServer(options.server);
    fixture.scratch = tempDir("swarm-safety-");
    if (options.repo) {
      fixture.repo = await gitRepo(options.repo);
      bytesBefore = await hashEverything(fixture.repo.dir);
    }
  });
  afterAll(() => fixture.server.close());
  if (options.resetEach !== false) beforeEach(() => fixture.server.reset());
  return fixture;
}

/** Starts `server` on a free port of 127.0.0.1 and returns its OpenAI-style base URL (…/v1). */
export function listenLocal(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`)));
}

/** Every byte under `dir`, `.git` included: for failures, which must not write anything at all. */
export async function hashEverything(dir: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  async function walk(abs: string, rel: string): Promise<void> {
    const entries = await readdir(abs, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const childAbs = path.join(abs, entry.name);
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      const info = await lstat(childAbs);
      const mode = (info.mode & 0o7777).toString(8);
      if (entry.isDirectory()) {
        hashes[`${childRel}/`] = `dir ${mode}`;
        await walk(childAbs, childRel);
      } else if (entry.isSymbolicLink()) hashes[childRel] = `link ${await readlink(childAbs)}`;
      else hashes[childRel] = `${mode} ${createHash("sha256").update(await readFile(childAbs)).digest("hex")}`;
    }
  }
  await walk(dir, "");
  return hashes;
}

/** A user-caused failure: exit 2, one `swarm:` line (plus hint/cause lines), no stack, nothing on stdout. */
export function expectUsageFailure(result: CliResult, message: RegExp | string): void {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines[0]).toMatch(/^swarm: /);
  if (typeof message === "string") expect(lines[0]).toContain(message);
  else expect(lines[0]).toMatch(message);
  for (const line of lines.slice(1)) expect(line).toMatch(/^(hint|cause): |^\(run swarm --help for usage\)$/);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr).not.toContain("internal error");
}

/** The user's repository after a run equals the one before, apart from the new branch (if any). */
export function expectRepoUntouched(before: RepoSnapshot, after: RepoSnapshot, newBranch?: string): void {
  expect(after.head).toBe(before.head);
  expect(after.branch).toBe(before.branch);
  expect(after.status).toBe(before.status);
  expect(after.index).toBe(before.index);
  expect(after.worktrees).toBe(before.worktrees);
  expect(after.files).toEqual(before.files);
  const beforeRefs = before.refs.split("\n").filter(Boolean);
  const added = after.refs.split("\n").filter((l) => l && !beforeRefs.includes(l));
  const removed = beforeRefs.filter((l) => !after.refs.split("\n").includes(l));
  expect(removed).toEqual([]);
  if (newBranch === undefined) expect(added).toEqual([]);
  else {
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(new RegExp(` refs/heads/${newBranch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`));
  }
}

/** The `report.json` path the plain reporter prints at the end of a run. */
export function reportPathOf(stdout: string): string | undefined {
  return /(\S+report\.json)/.exec(stdout)?.[1];
}
