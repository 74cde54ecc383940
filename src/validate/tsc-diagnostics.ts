// Compiler diagnostics as Problems, for TypeScript projects (a tsconfig.json is present).
import type { RepoPath } from "../core/index.js";
import { createTsProjectsChecker, type SharedParses, type TsDiagnostic, type TsEnvironment, type UncheckedFile } from "../graph/index.js";
import type { ImportProblem } from "./types.js";

/**
 * TypeScript error codes about imports and exports, the ones a cross-file refactor breaks.
 * Other errors (types, names inside a file) are left out by default: node_modules and @types are not
 * loaded, so package types are `any` and globals such as `process` are missing, and those errors would
 * say more about the validator's sandbox than about the run.
 */
export const IMPORT_EXPORT_CODES: ReadonlySet<number> = new Set([
  1192, // Module '{0}' has no default export.
  1484, // '{0}' is a type and must be imported using a type-only import when 'verbatimModuleSyntax' is enabled.
  1485, // '{0}' resolves to a type-only declaration and must be imported using a type-only import ...
  2303, // Circular definition of import alias '{0}'.
  2305, // Module '{0}' has no exported member '{1}'.
  2306, // File '{0}' is not a module.
  2307, // Cannot find module '{0}' or its corresponding type declarations.
  2459, // Module '{0}' declares '{1}' locally, but it is not exported.
  2460, // Module '{0}' declares '{1}' locally, but it is exported as '{2}'.
  2497, // This module can only be referenced with ECMAScript imports/exports by turning on 'esModuleInterop' ...
  2498, // Module '{0}' uses 'export =' and cannot be used with 'export *'.
  2591, // Cannot find module '{0}'. Do you need to install type definitions for node? ...
  2613, // Module '{0}' has no default export. Did you mean to use 'import { {1} } from {0}' instead?
  2614, // Module '{0}' has no exported member '{1}'. Did you mean to use 'import {1} from {0}' instead?
  2694, // Namespace '{0}' has no exported member '{1}'.
  2724, // '{0}' has no exported member named '{1}'. Did you mean '{2}'?
  2792, // Cannot find module '{0}'. Did you mean to set the 'moduleResolution' option to 'nodenext' ...
  2834, // Relative import paths need explicit file extensions in ECMAScript imports ...
  2835, // Relative import paths need explicit file extensions ... Did you mean '{0}'?
  2846, // A declaration file cannot be imported without 'import type'.
  5097, // An import path can only end with a '.ts' extension when 'allowImportingTsExtensions' is enabled.
]);

/** 2339 is "Property '{0}' does not exist on type '{1}'": about an import only on a module namespace. */
function isImportExportDiagnostic(diagnostic: TsDiagnostic): boolean {
  if (IMPORT_EXPORT_CODES.has(diagnostic.code)) return true;
  return diagnostic.code === 2339 && diagnostic.message.includes("typeof import(");
}

export interface TsDiagnosticsOptions {
  /** Installed packages, read-only: every diagnostic counts. Without them, IMPORT_EXPORT_CODES only. */
  environment?: TsEnvironment;
  /** Override which diagnostics count. @default "all" with an environment, else "imports" */
  codes?: "imports" | "all";
  /** The import graph's parses, for the compiler to reuse. */
  sharedParses?: SharedParses;
}

function toProblems(diagnostics: readonly TsDiagnostic[], codes: "imports" | "all"): ImportProblem[] {
  return diagnostics
    .filter((d) => codes === "all" || isImportExportDiagnostic(d))
    .map((d) => ({ file: d.file, line: d.line, code: `ts${d.code}`, message: d.message }));
}

export interface TsCheckResult {
  problems: ImportProblem[];
  /** Changed TypeScript files no project could check, and why. */
  unchecked: UncheckedFile[];
}

export interface TsProblemChecker {
  /** Which diagnostics count: "all" when the repository's packages are installed. */
  readonly codes: "imports" | "all";
  /** `externals`: more bare specifiers to shim for this snapshot (new imports an agent added). */
  /** `onProgress`: called per file the compiler parses or checks (synchronously, from inside the check). */
  check(files: ReadonlyMap<RepoPath, string>, scope?: Iterable<RepoPath>, externals?: Iterable<string>, onProgress?: () => void): TsCheckResult;
}

/** An incremental checker over every project of the repo: each call reuses the previous programs and every unchanged parsed file. */
export function createTsProblemChecker(options: TsDiagnosticsOptions = {}): TsProblemChecker {
  const codes = options.codes ?? (options.environment ? "all" : "imports");
  const checker = createTsProjectsChecker({ ...(options.environment ? { environment: options.environment } : {}), ...(options.sharedParses ? { sharedParses: options.sharedParses } : {}) });
  return {
    codes,
    check: (files, scope, externals, onProgress) => {
      const result = checker.check(files, scope, externals, onProgress);
      return { problems: toProblems(result.diagnostics, codes), unchecked: result.unchecked };
    },
  };
}
