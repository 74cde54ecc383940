// Lint enforces the layout rules where an editor can show them (BRIEF "Product rules"); the architecture test
// (test/unit/architecture.test.ts) checks the same doors plus cycles over the whole import graph.
// Type information is used in src/ only, for the two promise rules (a promise nobody awaits loses its error; the
// engine is all promises). Whole lint: 7–11 s wall, ~9.5 s CPU on the shared 2 cores (~5 s CPU without type
// information). Tests and bench get the syntactic rules.
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";
import doorsFile from "./dependency-doors.json" with { type: "json" };

/** Only these folders know there is a terminal. */
const TERMINAL = ["src/cli/**", "src/reporters/**", "src/ui/**"];
/** The one exit point. */
const EXIT_POINT = "src/cli/main.ts";
const SOURCES = "**/*.{ts,tsx}";

const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** A package name as in dependency-doors.json ("ink-*" is a prefix) → its specifiers, subpaths included. */
const packageRegex = (name) =>
  name.endsWith("*") ? `^${escapeRegex(name.slice(0, -1))}[^/]*(/.*)?$` : `^${escapeRegex(name)}(/.*)?$`;
const doorGlob = (door) => (door.endsWith("/") ? `${door}**` : door);

// A package's door is one path or a list of paths.
const doorEntries = Object.entries(doorsFile.doors).map(([name, door]) => [name, [door].flat()]);
const doors = [...new Set(doorEntries.flatMap(([, paths]) => paths))];

/** no-restricted-imports for a file whose door (if any) is `door`: every package whose doors are elsewhere. */
function doorRule(door) {
  const patterns = doorEntries
    .filter(([, paths]) => !paths.includes(door))
    .map(([name, paths]) => ({
      regex: packageRegex(name),
      message: `${name} is imported only in ${paths.join(" or ")} (dependency-doors.json).`,
    }));
  return ["error", { patterns }];
}

/**
 * A file `depth` folders below src/ reaches another src/ folder with `depth` "../" (`./` from src/ itself); past that
 * folder's name the only file it may name is index.js, the folder's face. Type-only imports count too.
 */
function faceRule(depth) {
  const up = depth === 0 ? "\\./" : `(\\.\\./){${depth}}`;
  return [
    "error",
    {
      patterns: [
        {
          regex: `^${up}(?!\\.)[^/]+/(?!index\\.js$).+$`,
          message: "Import another src/ folder through its index.ts (its face), not a file inside it.",
        },
      ],
    },
  ];
}

export default defineConfig(
  { ignores: ["dist/**", "node_modules/**", "fixtures/**", "bench/.work/**", "test-results/**", "coverage/**"] },
  // Everywhere (tests and bench too): typescript-eslint's syntactic set plus the core rules that catch plain
  // mistakes tsc lets through. tsc already covers undefined names and unreachable code. no-control-regex stays
  // off: matching ANSI escapes and NUL/C0 bytes on purpose is part of this tool's job (answer screen, printable).
  tseslint.configs.recommended,
  {
    files: ["**/*.{js,mjs,ts,tsx}"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "no-async-promise-executor": "error",
      "no-cond-assign": "error",
      "no-constant-binary-expression": "error",
      "no-debugger": "error",
      "no-dupe-else-if": "error",
      "no-self-assign": "error",
      "no-unsafe-finally": "error",
      "no-useless-catch": "error",
    },
  },

  // src/: the engine never prints, never exits, and each dependency comes through its door.
  {
    files: [`src/${SOURCES}`],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "no-console": "error",
      "no-restricted-properties": [
        "error",
        ...["stdout", "stderr"].map((property) => ({
          object: "process",
          property,
          message: "Only src/cli/, src/reporters/ and src/ui/ write to the terminal; emit an event or return data.",
        })),
        ...["exit", "exitCode"].map((property) => ({
          object: "process",
          property,
          message: `The exit code is set in ${EXIT_POINT} only; return a result or throw a SwarmError.`,
        })),
      ],
      "no-restricted-imports": doorRule(undefined),
    },
  },
  {
    files: TERMINAL,
    rules: {
      "no-console": "off",
      "no-restricted-properties": [
        "error",
        ...["exit", "exitCode"].map((property) => ({
          object: "process",
          property,
          message: `The exit code is set in ${EXIT_POINT} only.`,
        })),
      ],
    },
  },
  { files: [EXIT_POINT], rules: { "no-restricted-properties": "off" } },
  ...doors.map((door) => ({ files: [doorGlob(door)], rules: { "no-restricted-imports": doorRule(door) } })),

  // Faces: a second rule name, so that its options do not replace the door rule's.
  { files: [`src/*.{ts,tsx}`], rules: { "@typescript-eslint/no-restricted-imports": faceRule(0) } },
  { files: [`src/*/*.{ts,tsx}`], rules: { "@typescript-eslint/no-restricted-imports": faceRule(1) } },
  { files: [`src/*/*/*.{ts,tsx}`], rules: { "@typescript-eslint/no-restricted-imports": faceRule(2) } },
  { files: [`src/*/*/*/*.{ts,tsx}`], rules: { "@typescript-eslint/no-restricted-imports": faceRule(3) } },
);
