import { createGithubReporter, createNdjsonReporter, createPlainReporter, type Reporter } from "../reporters/index.js";
import { isGithubActions, resolveOutputMode } from "./output-mode.js";

export interface ReporterStreams {
  json: boolean;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  stderr: { write(chunk: string): unknown };
  env: NodeJS.ProcessEnv;
}

/** The output mode is decided once, here; no reporter branches on format afterwards. The first reporter is the main output. */
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
    const { createDashboardReporter } = await import("../ui/index.js");
    reporters.push(createDashboardReporter({ stdout: s.stdout as NodeJS.WriteStream }));
  }
  if (isGithubActions(s.env)) {
    reporters.push(createGithubReporter({ env: s.env, out: mode === "json" ? s.stderr : s.stdout }));
  }
  return reporters;
}
