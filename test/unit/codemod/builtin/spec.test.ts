import { describe, expect, it } from "vitest";
import { parseBuiltinSpec } from "../../../../src/codemod/builtin/index.js";
import { SwarmError, SwarmErrorCode } from "../../../../src/core/index.js";

describe("parseBuiltinSpec", () => {
  it("reads the two built-ins, paths normalised to repo paths", () => {
    expect(parseBuiltinSpec("rename-export:src/a.ts#oldName=newName")).toEqual({ kind: "rename-export", file: "src/a.ts", from: "oldName", to: "newName" });
    expect(parseBuiltinSpec("rename-export:./src\\a.ts#$a=_b")).toEqual({ kind: "rename-export", file: "src/a.ts", from: "$a", to: "_b" });
    // Contextual keywords are names.
    expect(parseBuiltinSpec("rename-export:src/a.ts#type=préfixe")).toEqual({ kind: "rename-export", file: "src/a.ts", from: "type", to: "préfixe" });
    expect(parseBuiltinSpec("move-file:src/a.ts=src/lib/a.ts")).toEqual({ kind: "move-file", from: "src/a.ts", to: "src/lib/a.ts" });
  });

  it("is null for anything else: a module path, a Windows path", () => {
    expect(parseBuiltinSpec("./codemods/rename.ts")).toBeNull();
    expect(parseBuiltinSpec("C:\\codemods\\rename.ts")).toBeNull();
    expect(parseBuiltinSpec("rename-exports:src/a.ts#a=b")).toBeNull();
  });

  it.each([
    ["rename-export:src/a.ts", "expected <file>#<oldName>=<newName>"],
    ["rename-export:src/a.ts#a", "expected <file>#<oldName>=<newName>"],
    ["rename-export:src/a.ts#a=b-c", '"b-c" is not an identifier'],
    ["rename-export:src/a.ts#a=", '"" is not an identifier'],
    ["rename-export:src/a.ts#default=b", '"default" is a reserved word'],
    ["rename-export:src/a.ts#a=let", '"let" is a reserved word'],
    ["rename-export:src/a.ts#a=a", "the old and new names are the same"],
    ["rename-export:../a.ts#a=b", "../a.ts is not a path inside the repository"],
    ["move-file:src/a.ts", "expected <from>=<to>"],
    ["move-file:src/a.ts=./src/a.ts", "the file would not move"],
    ["move-file:/etc/a.ts=src/a.ts", "/etc/a.ts is not a path inside the repository"],
    ["move-file:src/a.ts=", "a file path is missing"],
  ])("%s is a usage error: %s", (spec, why) => {
    let error: unknown;
    try {
      parseBuiltinSpec(spec);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SwarmError);
    expect((error as SwarmError).code).toBe(SwarmErrorCode.Usage);
    expect((error as SwarmError).message).toContain(`--codemod ${spec}: ${why}`);
    expect((error as SwarmError).message).not.toContain("\n");
  });
});
