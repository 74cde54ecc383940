import { describe, expect, it } from "vitest";
import { buildProgram, type Handlers } from "../../../src/cli/program.js";
import { configSchema } from "../../../src/config/schema.js";

const noop = async () => {};
const handlers: Handlers = { plan: noop, estimate: noop, run: noop, resume: noop, report: noop, validate: noop, merge: noop };
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

describe("each command's --help", () => {
  const fullHelp = (name: string) => {
    let out = "";
    const program = buildProgram(handlers, "0.0.0").configureOutput({ writeOut: (text) => void (out += text) });
    program.commands.find((c) => c.name() === name)!.configureOutput({ writeOut: (text) => void (out += text) }).outputHelp();
    return out;
  };
  const longFlags = (help: string) => [...help.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]).sort();

  it("lists exactly the flags the command uses", () => {
    const base = ["--config", "--help", "--instruction", "--json", "--model", "--roles"];
    const sending = [...base, "--allow-insecure-http", "--base-url", "--concurrency"];
    const writing = [...sending, "--branch", "--max-cost-usd", "--max-failure-rate", "--reporter"];
    expect(longFlags(fullHelp("plan"))).toEqual(base.sort());
    expect(longFlags(fullHelp("estimate"))).toEqual([...sending, "--codemod", "--sample", "--shards"].sort());
    expect(longFlags(fullHelp("run"))).toEqual([...writing, "--bundle-out", "--codemod", "--dry-run", "--from-sample", "--resume", "--shard"].sort());
    // A resume keeps its run's plan, config and branch: those flags are accepted but not listed.
    expect(longFlags(fullHelp("resume"))).toEqual(writing.filter((f) => !["--instruction", "--config", "--roles", "--branch"].includes(f)).sort());
    expect(longFlags(fullHelp("merge"))).toEqual([...writing, "--allow-partial", "--codemod", "--repo"].sort());
  });

  it("ends with two or three examples of the command itself", () => {
    for (const name of ["plan", "estimate", "run", "resume", "merge", "report", "validate"]) {
      const examples = fullHelp(name).split("Examples:")[1] ?? "";
      const lines = examples.split("\n").filter((line) => line.trim().startsWith("$ "));
      expect(lines.length, name).toBeGreaterThanOrEqual(2);
      expect(lines.length, name).toBeLessThanOrEqual(3);
      for (const line of lines) expect(line, name).toContain(`$ swarm ${name}`);
    }
  });
});
