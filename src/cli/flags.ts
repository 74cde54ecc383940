import { InvalidArgumentError } from "commander";
import { ROLES, type Role } from "../core/types.js";

export function parsePositiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
      throw new InvalidArgumentError(`${name}: expected an integer ≥ 1, got \`${value}\``);
    }
    return n;
  };
}

export function parseRate(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new InvalidArgumentError(`expected a number from 0 to 1, got \`${value}\``);
  }
  return n;
}

export function parseUSD(value: string): number {
  const n = Number(value.replace(/^\$/, ""));
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected an amount in USD > 0, got \`${value}\``);
  return n;
}

export function parseRoles(value: string): Role[] {
  const roles = value.split(",").map((r) => r.trim()).filter(Boolean);
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0 || roles.length === 0) {
    throw new InvalidArgumentError(`unknown role ${unknown.map((u) => `\`${u}\``).join(", ") || "(none given)"}; expected a comma-separated list of ${ROLES.join(", ")}`);
  }
  return [...new Set(roles)] as Role[];
}

export function parseInstruction(value: string): string {
  if (value.trim() === "") throw new InvalidArgumentError("the instruction is empty; say what to change");
  return value;
}
