// The layout rules of src/ (BRIEF: one door per dependency, one face per stage folder, no cycles), checked over
// the compiler's own import list of every file. ts.preProcessFile only scans imports (no parse, no type check),
// so the whole tree takes well under a second.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import doorsFile from "../../dependency-doors.json" with { type: "json" };

const ROOT = path.resolve(import.meta.dirname, "../..");
const ROOT_FOLDER = "(src root)";

interface Import {
  specifier: string;
  /** Repo-relative path of the file a relative specifier names; undefined for packages and unresolved paths. */
  target?: string;
}

interface SrcGraph {
  /** Repo-relative paths, e.g. "src/cli/main.ts". */
  files: string[];
  imports: Map<string, Import[]>;
  /** Files that start a git process themselves (git belongs behind src/git/). */
  spawnsGit: string[];
}

const BUILTINS = new Set(builtinModules);
// react-jsx compiles every .tsx file to an import of react/jsx-runtime that the source never spells.
const JSX_RUNTIME = "react/jsx-runtime";
// `createRequire(import.meta.url)("pkg")` loads a package without an import statement.
const CREATE_REQUIRE = /createRequire\([^)]*\)\(\s*["'`]([^"'`]+)["'`]/g;
const GIT_SPAWN = /\b(?:spawn|spawnSync|execFile|execFileSync|exec|execSync)\(\s*["'`]git["'`]/;

function resolveRelative(from: string, specifier: string, exists: (file: string) => boolean): string | undefined {
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  const candidates = joined.endsWith(".js")
    ? [joined.slice(0, -3) + ".ts", joined.slice(0, -3) + ".tsx", joined]
    : joined.endsWith(".jsx")
      ? [joined.slice(0, -4) + ".tsx", joined]
      : [joined];
  return candidates.find(exists);
}

function graphOf(sources: Map<string, string>, exists: (file: string) => boolean): SrcGraph {
  const imports = new Map<string, Import[]>();
  const spawnsGit: string[] = [];
  for (const [file, text] of sources) {
    const specifiers = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
    for (const m of text.matchAll(CREATE_REQUIRE)) specifiers.push(m[1]);
    if (file.endsWith(".tsx")) specifiers.push(JSX_RUNTIME);
    imports.set(
      file,
      specifiers.map((specifier) =>
        specifier.startsWith(".") ? { specifier, target: resolveRelative(file, specifier, exists) } : { specifier },
      ),
    );
    if (GIT_SPAWN.test(text)) spawnsGit.push(file);
  }
  return { files: [...sources.keys()], imports, spawnsGit };
}

function readSrc(root: string): SrcGraph {
  const sources = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
        sources.set(rel, readFileSync(path.join(root, rel), "utf8"));
      }
    }
  };
  walk("src");
  return graphOf(sources, (file) => sources.has(file) || existsSync(path.join(root, file)));
}

/** "src/cli/commands/run.ts" → "cli"; "src/pipeline.ts" → the root. */
function folderOf(file: string): string {
  const parts = file.split("/");
  return parts.length > 2 ? parts[1] : ROOT_FOLDER;
}

const packageOf = (specifier: string): string =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");

const isBuiltin = (specifier: string): boolean => specifier.startsWith("node:") || BUILTINS.has(packageOf(specifier));

/** Tarjan's strongly connected components; only the groups that hold a cycle (size > 1, or a self-edge). */
function cycles(nodes: string[], next: (node: string) => string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const to of next(node)) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1 || next(node).includes(node)) found.push(group.reverse());
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return found;
}

/** One concrete loop through `group`, start → … → start (shortest by breadth-first search). */
function loopThrough(group: string[], next: (node: string) => string[]): string[] {
  const members = new Set(group);
  const start = [...group].sort()[0];
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const to of next(node)) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [start];
        for (let at = node; at !== start; at = cameFrom.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  return group;
}

const localTargets = (graph: SrcGraph, file: string): string[] =>
  [...new Set((graph.imports.get(file) ?? []).flatMap((i) => (i.target && graph.imports.has(i.target) ? [i.target] : [])))];

function unresolvedImports(graph: SrcGraph): string[] {
  return graph.files.flatMap((file) =>
    (graph.imports.get(file) ?? [])
      .filter((i) => i.specifier.startsWith(".") && i.target === undefined)
      .map((i) => `${file} imports "${i.specifier}", which names no file`),
  );
}

function fileCycles(graph: SrcGraph): string[] {
  const next = (file: string) => localTargets(graph, file);
  return cycles(graph.files, next).map((group) => `import cycle: ${loopThrough(group, next).join(" → ")}`);
}

function folderCycles(graph: SrcGraph): string[] {
  // One example file edge per folder edge, so the message says which import to move.
  const examples = new Map<string, Map<string, string>>();
  for (const file of graph.files) {
    for (const target of localTargets(graph, file)) {
      const [from, to] = [folderOf(file), folderOf(target)];
      if (from === to) continue;
      if (!examples.has(from)) examples.set(from, new Map());
      if (!examples.get(from)!.has(to)) examples.get(from)!.set(to, `${file} imports ${target}`);
    }
  }
  const next = (folder: string) => [...(examples.get(folder)?.keys() ?? [])];
  const folders = [...new Set(graph.files.map(folderOf))];
  return cycles(folders, next).map((group) => {
    const loop = loopThrough(group, next);
    const because = loop.slice(1).map((to, i) => examples.get(loop[i])!.get(to)!);
    return `folder cycle: ${loop.join(" → ")} (${because.join("; ")})`;
  });
}

/** A package's door: one path, or a list of paths (a folder ends in "/"). */
type Doors = Record<string, string | string[]>;

function doorOf(pkg: string, doors: Doors): string[] | undefined {
  for (const [name, door] of Object.entries(doors)) {
    if (name.endsWith("*") ? pkg.startsWith(name.slice(0, -1)) : pkg === name) return [door].flat();
  }
  return undefined;
}

const isBehind = (file: string, door: string): boolean => (door.endsWith("/") ? file.startsWith(door) : file === door);

function doorViolations(graph: SrcGraph, doors: Doors): string[] {
  const problems: string[] = [];
  for (const file of graph.files) {
    for (const { specifier } of graph.imports.get(file) ?? []) {
      if (specifier.startsWith(".") || isBuiltin(specifier)) continue;
      const pkg = packageOf(specifier);
      const door = doorOf(pkg, doors);
      if (door === undefined) problems.push(`${file} imports ${pkg}, which has no door in dependency-doors.json`);
      else if (!door.some((d) => isBehind(file, d))) {
        problems.push(`${file} imports ${specifier}; only ${door.join(" or ")} may (dependency-doors.json)`);
      }
    }
  }
  for (const file of graph.spawnsGit) {
    if (!file.startsWith("src/git/")) problems.push(`${file} starts a git process; git runs only behind src/git/`);
  }
  return problems;
}

function faceViolations(graph: SrcGraph): string[] {
  const problems: string[] = [];
  for (const file of graph.files) {
    for (const { target } of graph.imports.get(file) ?? []) {
      if (target === undefined) continue;
      const [from, to] = [folderOf(file), folderOf(target)];
      if (from === to || to === ROOT_FOLDER) continue;
      const face = `src/${to}/index.ts`;
      if (target !== face) problems.push(`${file} imports ${target} past the face of ${to}/ (import it from ${face})`);
    }
  }
  return problems;
}

/**
 * Arrows point down: cli → pipeline → stages → core/events/util. Which folders may import a folder; a folder not
 * listed here may be imported by any folder.
 */
const IMPORTED_ONLY_BY: Record<string, string[]> = {
  cli: [],
  [ROOT_FOLDER]: ["cli"],
  ui: ["cli"],
  reporters: ["cli", "ui"],
};
/** The bottom layer imports nothing above it. */
const BOTTOM = ["core", "events", "util"];

function layerViolations(graph: SrcGraph): string[] {
  const problems: string[] = [];
  for (const file of graph.files) {
    for (const target of localTargets(graph, file)) {
      const [from, to] = [folderOf(file), folderOf(target)];
      if (from === to) continue;
      const allowed = IMPORTED_ONLY_BY[to];
      if (allowed !== undefined && !allowed.includes(from)) {
        const who = allowed.length === 0 ? "nothing may import" : `only ${allowed.join(" and ")} may import`;
        problems.push(`${file} imports ${target}: ${who} ${to} (arrows point down)`);
      }
      if (BOTTOM.includes(from) && !BOTTOM.includes(to)) {
        problems.push(`${file} imports ${target}: ${from}/ is the bottom layer (${BOTTOM.join(", ")}) and imports nothing above it`);
      }
    }
  }
  return problems;
}

describe("src/ layout", () => {
  const graph = readSrc(ROOT);
  const doors: Doors = doorsFile.doors;

  it("reads the whole tree", () => {
    expect(graph.files.length).toBeGreaterThan(50);
    expect(graph.files).toContain("src/cli/main.ts");
    expect(unresolvedImports(graph)).toEqual([]);
  });

  it("has no import cycle between files (type-only imports count)", () => {
    expect(fileCycles(graph)).toEqual([]);
  });

  it("has no import cycle between folders", () => {
    expect(folderCycles(graph)).toEqual([]);
  });

  it("imports each dependency only inside its door", () => {
    expect(doorViolations(graph, doors)).toEqual([]);
  });

  it("crosses into another folder only through its index.ts", () => {
    expect(faceViolations(graph)).toEqual([]);
  });

  it("imports downward only: nothing imports cli/, only cli/ the pipeline and ui/, core/events/util nothing above", () => {
    expect(layerViolations(graph)).toEqual([]);
  });
});

describe("the checks catch what they are for", () => {
  const synthetic = (files: Record<string, string>) =>
    graphOf(new Map(Object.entries(files)), (file) => file in files || file === "src/estimate/pricing.json");

  it("names the files of a file cycle, type-only imports included", () => {
    const graph = synthetic({
      "src/a/x.ts": 'import { y } from "./y.js";',
      "src/a/y.ts": 'import type { Z } from "./z.js";',
      "src/a/z.ts": 'export { x } from "./x.js";',
      "src/a/w.ts": 'import { x } from "./x.js";',
    });
    expect(fileCycles(graph)).toEqual(["import cycle: src/a/x.ts → src/a/y.ts → src/a/z.ts → src/a/x.ts"]);
  });

  it("finds a folder cycle and names one import per direction", () => {
    const graph = synthetic({
      "src/cli/index.ts": 'import "../reporters/index.js";',
      "src/cli/mode.ts": "export const m = 1;",
      "src/reporters/index.ts": 'export * from "./select.js";',
      "src/reporters/select.ts": 'import { m } from "../cli/mode.js";',
    });
    expect(fileCycles(graph)).toEqual([]);
    expect(folderCycles(graph)).toEqual([
      "folder cycle: cli → reporters → cli (src/cli/index.ts imports src/reporters/index.ts; src/reporters/select.ts imports src/cli/mode.ts)",
    ]);
  });

  it("flags a dependency outside its door(s), a package with no door, jsx outside ui/, a required package, git spawned outside git/", () => {
    const graph = synthetic({
      "src/llm/openai-provider.ts": 'import OpenAI from "openai";',
      "src/llm/other.ts": 'import type { ChatCompletion } from "openai/resources";',
      "src/scan/scan.ts": 'import { globby } from "globby"; import path from "node:path"; import fs from "fs";',
      "src/plan/x.ts": 'const m = await import("left-pad");',
      "src/report/view.tsx": "export const v = <b />;",
      "src/estimate/other.ts": 'const t = createRequire(import.meta.url)("gpt-tokenizer/cjs/x");',
      "src/validate/run.ts": 'import { spawn } from "node:child_process"; spawn("git", ["status"]);',
      "src/ui/app.tsx": 'import { Box } from "ink"; import { render } from "ink-testing-library";',
      "src/codemod/run.ts": 'import { Project } from "ts-morph";',
      "src/plan/y.ts": 'import { Project } from "ts-morph";',
    });
    expect(doorViolations(graph, doorsFile.doors)).toEqual([
      "src/llm/other.ts imports openai/resources; only src/llm/openai-provider.ts may (dependency-doors.json)",
      "src/plan/x.ts imports left-pad, which has no door in dependency-doors.json",
      "src/report/view.tsx imports react/jsx-runtime; only src/ui/ may (dependency-doors.json)",
      "src/estimate/other.ts imports gpt-tokenizer/cjs/x; only src/estimate/tokenizer.ts may (dependency-doors.json)",
      "src/plan/y.ts imports ts-morph; only src/graph/ or src/codemod/ may (dependency-doors.json)",
      "src/validate/run.ts starts a git process; git runs only behind src/git/",
    ]);
  });

  it("flags an import past another folder's index.ts, type-only and re-exports too, and a path to nowhere", () => {
    const graph = synthetic({
      "src/pipeline.ts": 'import { scan } from "./scan/index.js"; import { f } from "./scan/filters.js";',
      "src/scan/index.ts": 'export { scan } from "./scan.js";',
      "src/scan/scan.ts": 'import pricing from "../estimate/pricing.json" with { type: "json" };',
      "src/scan/filters.ts": 'import { run } from "../pipeline.js";',
      "src/cli/commands/validate.ts": 'import type { P } from "../../graph/parse-imports.js"; export * from "../../scan/index.js";',
      "src/graph/parse-imports.ts": 'import { gone } from "./gone.js";',
    });
    expect(faceViolations(graph)).toEqual([
      "src/pipeline.ts imports src/scan/filters.ts past the face of scan/ (import it from src/scan/index.ts)",
      "src/scan/scan.ts imports src/estimate/pricing.json past the face of estimate/ (import it from src/estimate/index.ts)",
      "src/cli/commands/validate.ts imports src/graph/parse-imports.ts past the face of graph/ (import it from src/graph/index.ts)",
    ]);
    expect(unresolvedImports(graph)).toEqual(['src/graph/parse-imports.ts imports "./gone.js", which names no file']);
  });

  it("flags an upward import", () => {
    const graph = synthetic({
      "src/pipeline.ts": 'import { ui } from "./ui/index.js";',
      "src/ui/index.ts": 'import { r } from "../reporters/index.js";',
      "src/reporters/index.ts": "export const r = 1;",
      "src/util/index.ts": 'import type { Plan } from "../plan/index.js";',
      "src/plan/index.ts": 'import { run } from "../pipeline.js"; import { c } from "../cli/index.js";',
      "src/cli/index.ts": 'import { run } from "../pipeline.js";',
    });
    expect(layerViolations(graph)).toEqual([
      "src/pipeline.ts imports src/ui/index.ts: only cli may import ui (arrows point down)",
      "src/util/index.ts imports src/plan/index.ts: util/ is the bottom layer (core, events, util) and imports nothing above it",
      `src/plan/index.ts imports src/pipeline.ts: only cli may import ${ROOT_FOLDER} (arrows point down)`,
      "src/plan/index.ts imports src/cli/index.ts: nothing may import cli (arrows point down)",
    ]);
  });
});
