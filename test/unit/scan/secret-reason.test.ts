import { describe, expect, it } from "vitest";
import { secretReason } from "../../../src/scan/secrets.js";

describe("secretReason", () => {
  const awsKey = "AKIA" + "Z7QX4MPLR2VN8KDT";

  it.each([
    [".env", undefined, "named like an environment file (.env)"],
    ["src/a.test.js", `const key = "${awsKey}";\n`, "contains what looks like an AWS access key (line 1)"],
    ["id_rsa", "harmless", "named like an SSH private key (id_*)"],
    ["src/a.test.js", "export const ok = 1;\n", null],
    ["src/a.test.js", undefined, null],
  ])("%j → %s", (path, text, reason) => {
    expect(secretReason(path, text)).toBe(reason);
  });

  it("never returns the secret itself", () => {
    expect(secretReason("docs/a.md", `x\n${awsKey}\n`)).not.toContain(awsKey);
  });
});
