import { describe, expect, it } from "vitest";
import { SwarmError } from "../../../src/core/errors.js";
import { ExitCode } from "../../../src/core/exit-codes.js";
import { assertOutputPath, UnsafePathError } from "../../../src/util/paths.js";

describe("UnsafePathError", () => {
  it("is a user-facing SwarmError: one line, a stable code, exit 2 and a hint, so the CLI prints no stack", () => {
    let caught: unknown;
    try {
      assertOutputPath("/repo", ".git/hooks/pre-commit");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnsafePathError);
    expect(caught).toBeInstanceOf(SwarmError);
    const error = caught as UnsafePathError;
    expect(error.code).toBe("SWARM_UNSAFE_OUTPUT");
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.message).toBe("refusing to write `.git/hooks/pre-commit`: path points into a .git directory");
    expect(error.message).not.toContain("\n");
    expect(error.hint).toMatch(/nothing was written/);
    expect({ path: error.path, reason: error.reason }).toEqual({ path: ".git/hooks/pre-commit", reason: "path points into a .git directory" });
  });
});
