import { describe, expect, it } from "vitest";
import type { SourceFile } from "../../../src/core/types.js";
import { snapshotPaths } from "../../../src/validate/head-snapshot.js";

const file = (path: string, content = "x"): SourceFile => ({ path, bytes: content.length, content, hasBom: false, eol: "\n", hasFinalNewline: true, mode: "100644" });

describe("snapshotPaths", () => {
  it("reads what the graph needs beyond the scan's files, never secrets, vendored packages or large files", () => {
    const out = snapshotPaths({
      files: [file("src/a.ts", "export {}")],
      skips: [
        { path: "src/secret.ts", reason: "secret-content", detail: "" },
        { path: "src/big.js", reason: "too-large", detail: "" },
        { path: "src/a.test.ts", reason: "not-included", detail: "" },
      ],
      allPaths: ["README.md", "logo.png", "node_modules/x/index.js", "package.json", "src/a.test.ts", "src/a.ts", "src/big.js", "src/secret.ts", "src/types.d.ts", "tsconfig.json"],
    });
    expect(out.known).toEqual(new Map([["src/a.ts", "export {}"]]));
    expect(out.toRead).toEqual(["package.json", "src/a.test.ts", "src/types.d.ts", "tsconfig.json"]);
    expect(out.otherPaths).toEqual(["README.md", "logo.png", "node_modules/x/index.js", "src/big.js", "src/secret.ts"]);
  });
});
