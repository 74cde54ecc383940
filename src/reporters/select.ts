import { resolveOutputMode } from "../cli/output-mode.js";
import type { Reporter } from "./types.js";
import { createGithubReporter } from "./github.js";
import { createNdjsonReporter } from "./ndjson.js";
import { createPlainReporter } from "./plain.js";

export interface ReporterStreams {
  json: boolean;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  stderr: { write(chunk: string): unknown };
  env: NodeJS.ProcessEnv;
}

/** The output mode is decided once, here; no reporter branches on format afterwards. */
export async function selectReporters(s: ReporterStreams): Promise<Reporter[]> {
  const mode = resolveOutputMode({ json: s.json, isTTY: s.stdout.isTTY === true, env: s.env });
  const reporters: Reporter[] = [];
  if (mode === "json") reporters.push(createNdjsonReporter({ out: s.stdout }));
  else if (mode === "plain") reporters.push(createPlainReporter({ out: s.stdout }));
  else {
    // Loaded only for a terminal, so CI runs never pay for React and Ink.
    // React picks its build from NODE_ENV when first imported; the development build checks and
    // times every element and made a 300-agent frame cost ~1.5× as much CPU (measured).
    process.env.NODE_ENV ??= "production";
    const { createDashboardReporter } = await import("../ui/dashboard-reporter.js");
    reporters.push(createDashboardReporter({ stdout: s.stdout as NodeJS.WriteStream }));
  }
  if (s.env.GITHUB_ACTIONS === "true" || s.env.GITHUB_STEP_SUMMARY) {
    reporters.push(createGithubReporter({ env: s.env, out: mode === "json" ? s.stderr : s.stdout }));
  }
  return reporters;
}
