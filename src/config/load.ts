import { readFile } from "node:fs/promises";
import path from "node:path";
import { configError } from "../core/errors.js";
import type { Role } from "../core/types.js";
import type { ResolvedConfig } from "./schema.js";
import { validateConfig } from "./validate.js";

/** Settings given on the command line; they win over the config file. */
export interface ConfigOverrides {
  instruction?: string;
  roles?: Role[];
  concurrency?: number;
  model?: string;
  baseURL?: string;
  maxCostUSD?: number;
  maxFailureRate?: number;
}

export interface LoadedConfig {
  config: ResolvedConfig;
  /** The file read, or null when the built-in defaults were used. */
  source: string | null;
}

/** Reads `--config`, else `<repo>/swarm.config.json`, else nothing; merges flags > file > defaults. */
export async function loadConfig(repo: string, configPath: string | undefined, overrides: ConfigOverrides): Promise<LoadedConfig> {
  const explicit = configPath !== undefined;
  const file = explicit ? path.resolve(configPath) : path.join(repo, "swarm.config.json");
  let raw: Record<string, unknown> = {};
  let source: string | null = null;
  try {
    // Editors on Windows save JSON with a BOM; JSON.parse rejects it.
    const text = (await readFile(file, "utf8")).replace(/^\uFEFF/, "");
    source = file;
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw configError(`config ${file}: not valid JSON (${(error as Error).message})`);
    }
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw configError(`config ${file}: expected a JSON object`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      if (explicit) throw configError(`config file not found: ${file}`);
    } else if (code === "EISDIR") {
      throw configError(`config ${file}: is a directory, expected a JSON file`);
    } else if (code === "EACCES" || code === "EPERM") {
      throw configError(`config ${file}: not readable (${code})`);
    } else throw error;
  }

  const { $schema: _schema, ...rest } = raw;
  const merged: Record<string, unknown> = { ...rest };
  const provider = { ...((rest.provider as Record<string, unknown> | undefined) ?? {}) };
  if (overrides.model !== undefined) provider.model = overrides.model;
  if (overrides.baseURL !== undefined) provider.baseURL = overrides.baseURL;
  if (Object.keys(provider).length > 0) merged.provider = provider;
  for (const key of ["instruction", "roles", "concurrency", "maxCostUSD", "maxFailureRate"] as const) {
    if (overrides[key] !== undefined) merged[key] = overrides[key];
  }

  const result = validateConfig(merged);
  if (!result.ok) {
    const where = source ? `config ${path.relative(process.cwd(), source) || source}` : "config";
    throw configError(`${where}: ${result.errors.join("; ")}`);
  }
  return { config: result.config, source };
}
