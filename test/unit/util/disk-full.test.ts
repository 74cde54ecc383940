import { describe, expect, it } from "vitest";
import { diskFullAt } from "../../../src/util/disk-full.js";

const errno = (code: string, path?: string) => Object.assign(new Error(`${code}: failed, write`), { code, ...(path ? { path } : {}) });

describe("diskFullAt", () => {
  it("knows the three ways a disk refuses a write, with the path when the errno names one", () => {
    expect(diskFullAt(errno("ENOSPC", "/repo/.swarm/runs/x/journal.jsonl"))).toEqual({ path: "/repo/.swarm/runs/x/journal.jsonl" });
    expect(diskFullAt(errno("EDQUOT"))).toEqual({ path: undefined });
    expect(diskFullAt(errno("EROFS", "/tmp/swarm-wt-1"))).toEqual({ path: "/tmp/swarm-wt-1" });
  });

  it("finds it under wrappers and in git's own words", () => {
    expect(diskFullAt(new Error("commit failed", { cause: errno("ENOSPC", "/t") }))).toEqual({ path: "/t" });
    expect(diskFullAt(new Error("fatal: unable to write new index file: No space left on device"))).toEqual({ path: undefined });
  });

  it("is null for every other failure", () => {
    expect(diskFullAt(errno("EACCES", "/x"))).toBeNull();
    expect(diskFullAt(new Error("boom"))).toBeNull();
    expect(diskFullAt(undefined)).toBeNull();
    expect(diskFullAt("a string")).toBeNull();
  });
});
