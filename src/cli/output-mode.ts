export type OutputMode = "dashboard" | "plain" | "json";

type Env = Record<string, string | undefined>;

/**
 * Decided once per process (STYLE.md §2.5): `--json` wins; the live dashboard only on an
 * interactive terminal outside CI; plain lines everywhere else.
 */
export function resolveOutputMode(options: { json: boolean; isTTY: boolean; env: Env }): OutputMode {
  if (options.json) return "json";
  return options.isTTY && !isCI(options.env) ? "dashboard" : "plain";
}

/** `CI` set to anything but "false"/"0" (as ink's is-in-ci), or running under GitHub Actions. */
export function isCI(env: Env): boolean {
  const ci = env.CI;
  return (ci !== undefined && ci.toLowerCase() !== "false" && ci !== "0") || env.GITHUB_ACTIONS === "true";
}

/** Whether GitHub annotations and the step summary should be written alongside the main output. */
export function isGithubActions(env: Env): boolean {
  return env.GITHUB_ACTIONS === "true" || Boolean(env.GITHUB_STEP_SUMMARY);
}
