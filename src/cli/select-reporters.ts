import { createGithubReporter, createNdjsonReporter, createPlainReporter, type PlainStyle, type Reporter } from "../reporters/index.js";
import { isCI, isGithubActions, resolveOutputMode } from "./output-mode.js";

/** `--reporter` values, in the style of vitest (issue 17). */
export const REPORTER_NAMES = ["default", "plain", "dots", "failures", "json", "github"] as const;
export type ReporterName = (typeof REPORTER_NAMES)[number];

export interface ReporterStreams {
  json: boolean;
  /** `--reporter`, repeatable; none given is `default`. `--json` is `--reporter json`. */
  reporters?: readonly ReporterName[];
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  stderr: { write(chunk: string): unknown };
  env: NodeJS.ProcessEnv;
}

const STYLE: Partial<Record<ReporterName, PlainStyle>> = { plain: "lines", dots: "dots", failures: "failures" };

/**
 * The output is decided once, here; no reporter branches on format afterwards. The first reporter is the main output.
 * `default`: the dashboard on an interactive terminal, the quiet CI style (a line per 5% and every failure) under CI,
 * a line per task in a pipe; under GitHub Actions the `github` extras come with it. `github`: the CI style plus
 * `::group::` per phase, an annotation per root cause and the step summary. With `json`, stdout is NDJSON only
 * and the other reporters write to stderr.
 */
export async function selectReporters(s: ReporterStreams): Promise<Reporter[]> {
  const names = new Set<ReporterName>(s.reporters ?? []);
  // `--json` alone keeps the default's extras (GitHub annotations on stderr under Actions).
  if (names.size === 0) names.add("default");
  if (s.json) names.add("json");
  const reporters: Reporter[] = [];
  const hasJson = names.has("json");
  if (hasJson) reporters.push(createNdjsonReporter({ out: s.stdout }));
  const text = hasJson ? s.stderr : s.stdout;
  let github = names.has("github");
  let dashboardReporter: Reporter | undefined;
  if (names.has("default") && !hasJson) {
    const mode = resolveOutputMode({ json: false, isTTY: s.stdout.isTTY === true, env: s.env });
    if (mode === "dashboard") reporters.push((dashboardReporter = await dashboard(s.stdout)));
    else if (!github) reporters.push(createPlainReporter({ out: text, style: isCI(s.env) ? "ci" : "lines" }));
  }
  if (names.has("default")) github ||= isGithubActions(s.env);
  for (const name of names) {
    const style = STYLE[name];
    if (style) reporters.push(createPlainReporter({ out: text, style }));
  }
  if (github) {
    const hasText = reporters.length > (hasJson ? 1 : 0);
    if (!hasText && names.has("github")) reporters.push(createPlainReporter({ out: text, style: "ci" }));
    const extras = createGithubReporter({ env: s.env, out: text });
    // The extras see each event just before the main text reporter: a phase's `::group::` opens before its line
    // is printed (else each phase line folds into the previous group) and the end summary follows the closed
    // group. Not beside dots: a row of dots is an open line only the dots reporter knows to end first.
    const at = hasJson ? 1 : 0;
    const main = reporters[at];
    if (main !== undefined && main !== dashboardReporter && !names.has("dots")) reporters[at] = inOrder(extras, main);
    else reporters.push(extras);
  }
  return reporters;
}

/** One reporter made of two, called in this order; a failure in either turns both off, as for the main output. */
function inOrder(first: Reporter, second: Reporter): Reporter {
  return {
    onEvent(event) {
      first.onEvent(event);
      second.onEvent(event);
    },
    async close() {
      await first.close();
      await second.close();
    },
  };
}

async function dashboard(stdout: ReporterStreams["stdout"]): Promise<Reporter> {
  // Loaded only for a terminal, so CI runs never pay for React and Ink.
  // React picks its build from NODE_ENV when first imported; the development build checks and
  // times every element and made a 300-agent frame cost ~1.5× as much CPU (measured).
  process.env.NODE_ENV ??= "production";
  const { createDashboardReporter } = await import("../ui/index.js");
  return createDashboardReporter({ stdout: stdout as NodeJS.WriteStream });
}
