// Defaults the CLI's help shows as well as the schema. Plain data, so `swarm --help` does not load zod;
// the schema reads them from here, so each is written once.

/** The config file looked for at the repository's root. */
export const CONFIG_FILE = "swarm.config.json";

export const DEFAULTS = {
  baseURL: "https://api.moonshot.ai/v1",
  model: "kimi-k2.6",
  concurrency: 80,
  maxFailureRate: 0,
} as const;
