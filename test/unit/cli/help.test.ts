import { describe, expect, it } from "vitest";
import { buildProgram, type Handlers } from "../../../src/cli/program.js";
import { configSchema } from "../../../src/config/schema.js";

const noop = async () => {};
const handlers: Handlers = { plan: noop, estimate: noop, run: noop, resume: noop, report: noop, validate: noop };
const helpOf = (name: string) => {
  const command = buildProgram(handlers, "0.0.0").commands.find((c) => c.name() === name)!;
  return command.helpInformation().replace(/\s+/g, " ");
};

describe("help text", () => {
  it("shows the defaults the config schema applies", () => {
    const defaults = configSchema.parse({});
    const help = helpOf("run");
    expect(help).toContain(`(default ${defaults.concurrency})`);
    expect(help).toContain(`(default ${defaults.provider.model})`);
    expect(help).toContain(`(default ${defaults.provider.baseURL})`);
    expect(help).toContain(`default ${defaults.maxFailureRate})`);
  });
});

describe("flags that set config keys", () => {
  it("reach the command under the config's own key names, and only when given", async () => {
    let received: unknown;
    const program = buildProgram({ ...handlers, run: async (_repo, flags) => void (received = flags) }, "0.0.0");
    await program.parseAsync(["node", "swarm", "run", "repo", "-i", "do it", "--base-url", "http://127.0.0.1:9/v1", "--max-cost-usd", "$2", "--branch", "b"]);
    expect(received).toEqual({ branch: "b", overrides: { instruction: "do it", baseURL: "http://127.0.0.1:9/v1", maxCostUSD: 2 } });
  });
});
