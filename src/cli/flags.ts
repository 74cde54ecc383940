import { InvalidArgumentError } from "commander";
import { ExitCode, type Role, ROLES } from "../core/index.js";
import { REPORTER_NAMES, type ReporterName } from "./select-reporters.js";

/**
 * A bad flag value is a usage error: exit 2 like every other one (STYLE 2.4). Commander exits with the
 * error's own `exitCode` (1 by default) straight from the subcommand, which has no exitOverride of its
 * own, so the code has to travel on the error itself.
 */
function invalidFlag(message: string): InvalidArgumentError {
  const error = new InvalidArgumentError(message);
  (error as { exitCode: number }).exitCode = ExitCode.Usage;
  return error;
}

export function parsePositiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
      throw invalidFlag(`${name}: expected an integer ≥ 1, got \`${value}\``);
    }
    return n;
  };
}

export function parseRate(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) {
    throw invalidFlag(`expected a number from 0 to 1, got \`${value}\``);
  }
  return n;
}

export function parseUSD(value: string): number {
  const n = Number(value.replace(/^\$/, ""));
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw invalidFlag(`expected an amount in USD > 0, got \`${value}\``);
  return n;
}

export function parseRoles(value: string): Role[] {
  const roles = value.split(",").map((r) => r.trim()).filter(Boolean);
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0 || roles.length === 0) {
    throw invalidFlag(`unknown role ${unknown.map((u) => `\`${u}\``).join(", ") || "(none given)"}; expected a comma-separated list of ${ROLES.join(", ")}`);
  }
  return [...new Set(roles)] as Role[];
}

export function parseInstruction(value: string): string {
  if (value.trim() === "") throw invalidFlag("the instruction is empty; say what to change");
  return value;
}

/** `--shard k/n`: shard k (1-based) of n. */
export function parseShard(value: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || index < 1 || count < 1 || index > count) throw invalidFlag(`--shard: expected k/n with 1 ≤ k ≤ n, e.g. 2/4, got \`${value}\``);
  return { index, count };
}

/** `--reporter <name>`, repeatable: each use adds one (commander passes the list so far). */
export function parseReporter(value: string, previous?: ReporterName[]): ReporterName[] {
  const name = REPORTER_NAMES.find((n) => n === value);
  if (name === undefined) throw new InvalidArgumentError(`expected one of ${REPORTER_NAMES.join(", ")}`);
  return [...(previous ?? []), name];
}
