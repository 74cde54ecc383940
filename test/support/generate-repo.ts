import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { gitRepo, type GitRepoOptions, type TempRepo } from "./git-repo.js";
import { mulberry32 } from "./seeded-random.js";

export type SyntheticStyle = "cjs" | "esm-ts";

export interface GenerateRepoOptions {
  /** Number of source files. */
  files: number;
  /** Same seed, same options → byte-identical tree. */
  seed: number;
  /** @default "esm-ts" */
  style?: SyntheticStyle;
  /** Target mean size of a source file; each file lands between 0.5× and 1.5× of it. @default 2000 */
  avgBytes?: number;
  /** @default 40 */
  filesPerFolder?: number;
}

export interface SyntheticFile {
  /** Repo-relative, forward slashes. */
  path: string;
  content: string;
  /** Repo-relative paths of the files this one imports (all earlier in the list). */
  imports: string[];
  exports: string[];
}

const NOUNS = [
  "account", "invoice", "order", "cart", "user", "session", "token", "report", "metric", "ledger",
  "price", "tax", "shipment", "payment", "catalog", "review", "coupon", "audit", "schedule", "profile",
] as const;
const KINDS = ["service", "utils", "model", "helpers", "store", "mapper", "policy", "client"] as const;
const VERBS = [
  "parse", "format", "compute", "resolve", "normalize", "validate", "merge", "build",
  "load", "apply", "score", "render", "encode", "decode", "filter", "rank",
] as const;
const COMMENTS = [
  "Clamp first so a corrupt upstream value cannot overflow the running total.",
  "Kept separate from the exported function so callers can be tested without the cache.",
  "The modulo keeps results stable across releases; reports compare them by value.",
  "Rounding happens here, once, instead of in every caller.",
  "Negative input is legal (refunds), so no early return for it.",
  "Matches the legacy behaviour the billing export still depends on.",
] as const;

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

const capitalize = (word: string): string => word[0]!.toUpperCase() + word.slice(1);

function relativeSpecifier(fromPath: string, toPath: string, style: SyntheticStyle): string {
  let rel = path.posix.relative(path.posix.dirname(fromPath), toPath);
  if (!rel.startsWith(".")) rel = `./${rel}`;
  // NodeNext wants the emitted name (.js) for a .ts file; CommonJS code conventionally drops the extension.
  return style === "esm-ts" ? rel.replace(/\.ts$/, ".js") : rel.replace(/\.js$/, "");
}

/** Pure: the whole synthetic repo as data. */
export function synthesizeFiles(opts: GenerateRepoOptions): SyntheticFile[] {
  const style = opts.style ?? "esm-ts";
  const avgBytes = opts.avgBytes ?? 2000;
  const perFolder = opts.filesPerFolder ?? 40;
  if (!Number.isInteger(opts.files) || opts.files < 0) throw new TypeError(`files: expected an integer ≥ 0, got ${opts.files}`);
  const random = mulberry32(opts.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const ext = style === "esm-ts" ? "ts" : "js";
  const out: SyntheticFile[] = [];

  for (let i = 0; i < opts.files; i += 1) {
    const noun = pick(NOUNS);
    const filePath = `src/mod${Math.floor(i / perFolder)}/${noun}-${pick(KINDS)}-${i}.${ext}`;

    const verbs = shuffle([...VERBS], random).slice(0, 2 + Math.floor(random() * 3));
    const exportNames = verbs.map((verb) => `${verb}${capitalize(noun)}${i}`);

    // Mostly nearby files (real modules import their neighbours), sometimes anything earlier.
    const targets: number[] = [];
    const wanted = i === 0 ? 0 : Math.min(i, 1 + Math.floor(random() * 3));
    while (targets.length < wanted) {
      const isLocal = random() < 0.7;
      const low = isLocal ? Math.max(0, i - 50) : 0;
      const target = low + Math.floor(random() * (i - low));
      if (!targets.includes(target)) targets.push(target);
    }
    const imported = targets.map((t) => {
      const dep = out[t]!;
      const names = shuffle([...dep.exports], random).slice(0, 1 + Math.floor(random() * 2));
      return { index: t, dep, names, specifier: relativeSpecifier(filePath, dep.path, style) };
    });
    const typeImport = style === "esm-ts" && imported.length > 0 && random() < 0.3 ? imported[0]! : undefined;

    const lines: string[] = [];
    for (const imp of imported) {
      lines.push(
        style === "esm-ts"
          ? `import { ${imp.names.join(", ")} } from "${imp.specifier}";`
          : `const { ${imp.names.join(", ")} } = require("${imp.specifier}");`,
      );
    }
    if (typeImport !== undefined) {
      lines.push(`import type { Options${typeImport.index} } from "${typeImport.specifier}";`);
    }
    if (style === "cjs") lines.unshift(`"use strict";`, "");
    lines.push("");
    const num = style === "esm-ts" ? ": number" : "";
    if (style === "esm-ts") {
      lines.push(`export interface Options${i} {`, "  scale: number;", "  label: string;", "}", "");
    }

    const target = Math.round(avgBytes * (0.5 + random()));
    const helpers: string[] = [];
    let size = lines.join("\n").length + exportNames.length * 160;
    while (size < target || helpers.length === 0) {
      const name = `${pick(VERBS)}Step${i}x${helpers.length}`;
      const a = 2 + Math.floor(random() * 97);
      const b = 1 + Math.floor(random() * 997);
      // Each helper calls the one before it, so the chain from the last helper uses them all.
      const input = helpers.length === 0 ? "value" : `${helpers[helpers.length - 1]}(value)`;
      const block = [
        `// ${pick(COMMENTS)}`,
        `function ${name}(value${num})${num} {`,
        `  const base = ${input} * ${a} + ${b};`,
        `  const bounded = base > ${b * 10} ? base % ${b * 10} : base;`,
        `  return Math.round(bounded / ${a});`,
        "}",
        "",
      ];
      helpers.push(name);
      lines.push(...block);
      size += block.join("\n").length + 1;
    }

    const importedNames = imported.flatMap((imp) => imp.names);
    exportNames.forEach((name, k) => {
      const usesType = typeImport !== undefined && k === 0;
      const param = usesType ? `value: number, options?: Options${typeImport.index}` : `value${num}`;
      const helperCall = `${helpers[Math.max(0, helpers.length - 1 - k)]}(value)`;
      const steps: string[] = [];
      // Every imported name is called by some export, so the import is real, not dead code.
      for (let n = k; n < importedNames.length; n += exportNames.length) steps.push(`  result += ${importedNames[n]}(result) % 1000;`);
      if (usesType) steps.push("  if (options) result *= options.scale;");
      const body = steps.length === 0 ? [`  return ${helperCall};`] : [`  let result = ${helperCall};`, ...steps, "  return result;"];
      const head = style === "esm-ts" ? `export function ${name}(${param})${num} {` : `function ${name}(${param}) {`;
      lines.push(head, ...body, "}", "");
    });
    if (style === "cjs") lines.push(`module.exports = { ${exportNames.join(", ")} };`, "");

    out.push({
      path: filePath,
      content: lines.join("\n"),
      imports: imported.map((imp) => imp.dep.path),
      exports: exportNames,
    });
  }
  return out;
}

function projectFiles(opts: GenerateRepoOptions): Record<string, string> {
  const style = opts.style ?? "esm-ts";
  const pkg: Record<string, unknown> = { name: `synthetic-${opts.seed}`, version: "1.0.0", private: true };
  if (style === "esm-ts") {
    pkg.type = "module";
    pkg.devDependencies = { typescript: "^5.6.0" };
  }
  const files: Record<string, string> = {
    "package.json": `${JSON.stringify(pkg, null, 2)}\n`,
    ".gitignore": "node_modules/\ndist/\n",
  };
  if (style === "esm-ts") {
    const tsconfig = {
      compilerOptions: {
        target: "ES2022",
        lib: ["ES2022"],
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        types: [],
        noEmit: true,
      },
      include: ["src"],
    };
    files["tsconfig.json"] = `${JSON.stringify(tsconfig, null, 2)}\n`;
  }
  return files;
}

/** Writes the synthetic repo into `dir` (which may exist) and returns the source paths, repo-relative. */
export async function generateRepo(dir: string, opts: GenerateRepoOptions): Promise<string[]> {
  const files = synthesizeFiles(opts);
  const folders = new Set(files.map((f) => path.posix.dirname(f.path)));
  await Promise.all([...folders].map((folder) => mkdir(path.join(dir, folder), { recursive: true })));

  const writes: { path: string; content: string }[] = [
    ...Object.entries(projectFiles(opts)).map(([p, content]) => ({ path: p, content })),
    ...files,
  ];
  // Bounded parallelism: all-at-once would hit EMFILE at 10k files, one-by-one is needlessly slow.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < writes.length) {
      const file = writes[next++]!;
      await writeFile(path.join(dir, file.path), file.content);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return files.map((f) => f.path);
}

/** generateRepo into a fresh temp repo (the kit's gitRepo), committed as one commit. */
export async function generateGitRepo(opts: GenerateRepoOptions & GitRepoOptions): Promise<TempRepo & { paths: string[] }> {
  let paths: string[] = [];
  const message = opts.message ?? `synthetic repo (${opts.files} files, seed ${opts.seed})`;
  const repo = await gitRepo(async (dir) => {
    paths = await generateRepo(dir, opts);
  }, { message });
  return { ...repo, paths };
}
