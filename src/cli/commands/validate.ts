import type { CliIO } from "./index.js";

export async function validateCommand(_repo: string, _flags: { json?: boolean; config?: string }, _io: CliIO): Promise<void> {
  throw new Error("swarm validate is wired in with the validation stage");
}
