import { readFile } from "node:fs/promises";
import path from "node:path";
import { configError } from "../core/index.js";
import { stripBom } from "../util/index.js";
import { CONFIG_FILE } from "./defaults.js";
import { configSchema, type ResolvedConfig, type SwarmConfig } from "./schema.js";
import { validateConfig } from "./validate.js";

/**
 * Settings given on the command line; they win over the config file. Flat: a top-level key, or a key
 * of `provider` (`model`, `baseURL`). Kept in run.json, so a resumed run applies the same ones.
 */
export type ConfigOverrides = Partial<Omit<SwarmConfig, "provider"> & SwarmConfig["provider"]>;

const PROVIDER_KEYS: ReadonlySet<string> = new Set(Object.keys(configSchema.shape.provider.unwrap().shape));

export interface LoadedConfig {
  config: ResolvedConfig;
  /** The file read, or null when the built-in defaults were used. */
  source: string | null;
}

/** Reads `--config`, else `<repo>/swarm.config.json`, else nothing; merges flags > file > defaults. */
export async function loadConfig(repo: string, configPath: string | undefined, overrides: ConfigOverrides): Promise<LoadedConfig> {
  const explicit = configPath !== undefined;
  const file = explicit ? path.resolve(configPath) : path.join(repo, CONFIG_FILE);
  let raw: Record<string, unknown> = {};
  let source: string | null = null;
  try {
    // Editors on Windows save JSON with a BOM; JSON.parse rejects it.
    const text = stripBom(await readFile(file, "utf8"));
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
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (PROVIDER_KEYS.has(key)) provider[key] = value;
    else merged[key] = value;
  }
  if (Object.keys(provider).length > 0) merged.provider = provider;

  const result = validateConfig(merged);
  if (!result.ok) {
    const where = source ? `config ${path.relative(process.cwd(), source) || source}` : "config";
    throw configError(`${where}: ${result.errors.join("; ")}`);
  }
  return { config: result.config, source };
}
