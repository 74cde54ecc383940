// Files + roles (+ the import graph) → the task DAG. Pure and deterministic: the same input gives the
// same plan, byte for byte, so a run can be resumed and shards agree on task ids.
import { ROLES, type LeftOut, type Plan, type PlanConflict, type RepoPath, type Role, type Skip, type Task, type TaskId } from "../core/index.js";
import { stronglyConnectedComponents } from "../graph/index.js";
import { besideTestPath, docOutputPath, isConfigFile, isTestFile, isTestScript, testPaths } from "./output-paths.js";

export type PlanOrder = "parallel" | "dependencies-first";

export interface BuildPlanInput {
  /** The scan's files, in scan order (sorted by path). */
  files: { path: RepoPath; bytes: number }[];
  /** Carried into the plan unchanged, for the report. */
  skips: Skip[];
  /** Every path at HEAD; decides where tests go (see output-paths.ts). */
  allPaths: RepoPath[];
  /** Every path at HEAD in the whole repository, when `root` scopes the plan to a folder. @default allPaths */
  repoPaths?: RepoPath[];
  /** Source → the existing test that imports it (see tested-by.ts): updated rather than doubled by a conventional one. */
  testedBy?: ReadonlyMap<RepoPath, RepoPath>;
  roles: Role[];
  /**
   * "dependencies-first": a file's refactor waits for the refactors of the files it imports, so the agent
   * sees its dependencies' new shape. "parallel": refactors do not wait for each other.
   * @default "parallel"
   */
  order?: PlanOrder;
  /** Importer → imported files, from the graph stage. Only used with "dependencies-first". */
  imports?: ReadonlyMap<RepoPath, readonly RepoPath[]>;
  /**
   * The folder the run is scoped to (`swarm run packages/api`), repo-relative, "" for the whole repo.
   * Output conventions are read and applied inside it: its own `test/` folder, its own `docs/`.
   * @default ""
   */
  root?: RepoPath;
  /** Where doc tasks write (config `output.docsDir`), inside `root`. @default "docs/api" */
  docsDir?: string;
}

const taskIdOf = (role: Role, file: RepoPath): TaskId => `${role}:${file}`;

/**
 * Builds the plan.
 * - Tasks are ordered role by role, always refactor, test, doc (whatever order `roles` lists them in),
 *   each in file order: every refactor is queued before any test or doc, which wait for refactors anyway, and
 *   requests of one role stay together, sharing one cached prompt prefix.
 * - test and doc tasks depend on the same file's refactor when refactor is among the roles.
 * - With "dependencies-first", a refactor depends on the refactors of the files it imports, except files
 *   in its own import cycle (one strongly connected component): those run side by side, since no order
 *   among them puts every dependency first.
 * - No two tasks own one output path. Refactors claim their own paths first, then tests, then docs, each
 *   in file order. A test whose conventional path is taken (say `test/index.test.js` for both `index.js`
 *   and `src/index.js`, or a source file that already is `a.test.js`) goes beside its source instead; if
 *   that is taken too, the test task is left out. Every such case is listed in `plan.conflicts`.
 * - Files that are themselves tests get no test task (a test of a test is not what anyone asks for).
 */
export function buildPlan(input: BuildPlanInput): Plan {
  const roles = ROLES.filter((role) => input.roles.includes(role));
  const files = dedupeByPath(input.files);
  const hasRefactor = roles.includes("refactor");
  const root = input.root ? `${input.root.replace(/\/+$/, "")}/` : "";
  // Docs mirror the source tree from the package the folder is in (the repository when none), never from
  // inside a source folder: hono's `src/middleware` run wrote `src/middleware/docs/api/...`.
  const docRoot = packageRootOf(root, input.repoPaths ?? input.allPaths);
  const atHead = new Set(input.repoPaths ?? input.allPaths);
  // A scoped folder that is neither a package nor holds tests of its own (uptime-kuma's `server/`, tested
  // from `test/backend-test/`) follows the whole repository's convention.
  const ownTests = root === "" || input.allPaths.includes(`${root}package.json`) || input.allPaths.some((p) => p.startsWith(root) && isTestScript(p));
  const testRoot = ownTests ? root : "";
  const inTestRoot = (path: RepoPath) => (testRoot && path.startsWith(testRoot) ? path.slice(testRoot.length) : path);
  const tests = testPaths(testRoot ? input.allPaths.filter((p) => p.startsWith(testRoot)).map(inTestRoot) : (input.repoPaths ?? input.allPaths));
  const refactorDeps =
    hasRefactor && input.order === "dependencies-first" && input.imports
      ? importDependencies(files.map((file) => file.path), input.imports)
      : new Map<RepoPath, RepoPath[]>();

  const owners = new Map<RepoPath, TaskId>();
  const claim = (path: RepoPath, id: TaskId): TaskId | undefined => {
    const owner = owners.get(path);
    if (owner === undefined) owners.set(path, id);
    return owner;
  };

  const tasks: Task[] = [];
  const conflicts: PlanConflict[] = [];
  const filesWithTasks = new Set<RepoPath>();

  for (const role of roles) {
    for (const file of files) {
      if (role === "test" && isTestFile(file.path)) continue;
      if (role !== "refactor" && isConfigFile(file.path)) continue;
      const id = taskIdOf(role, file.path);
      const wanted = outputFor(role, file.path);
      let output = wanted;
      const owner = claim(wanted, id);
      if (owner !== undefined) {
        const fallback = role === "test" ? testRoot + besideTestPath(inTestRoot(file.path), tests.conventionOf(inTestRoot(file.path)).infix) : undefined;
        if (fallback === undefined || fallback === wanted || claim(fallback, id) !== undefined) {
          conflicts.push({ taskId: id, wanted, ownedBy: owner });
          continue;
        }
        conflicts.push({ taskId: id, wanted, ownedBy: owner, output: fallback });
        output = fallback;
      }
      const dependsOn =
        role === "refactor"
          ? (refactorDeps.get(file.path) ?? []).map((dep) => taskIdOf("refactor", dep))
          : hasRefactor
            ? [taskIdOf("refactor", file.path)]
            : [];
      tasks.push({ id, role, file: file.path, output, dependsOn, bytes: file.bytes });
      filesWithTasks.add(file.path);
    }
  }

  function outputFor(role: Role, path: RepoPath): RepoPath {
    if (role === "refactor") return path;
    if (role === "test") {
      const conventional = testRoot + tests.pathOf(inTestRoot(path));
      return atHead.has(conventional) ? conventional : (input.testedBy?.get(path) ?? conventional);
    }
    return docRoot + docOutputPath(path.slice(docRoot.length), input.docsDir);
  }

  const plan: Plan = {
    version: 1,
    roles,
    tasks,
    files: files.filter((file) => filesWithTasks.has(file.path)),
    skips: input.skips,
  };
  if (conflicts.length > 0) plan.conflicts = conflicts;
  const leftOut = leftOutByDefaults(input.allPaths.filter((p) => p.startsWith(root)), files, roles);
  if (leftOut.length > 0) plan.leftOut = leftOut;
  return plan;
}

/** The longest folder holding a package.json that contains `root` (`root` itself included), with a trailing slash; "" for the repository. */
function packageRootOf(root: string, paths: readonly RepoPath[]): string {
  let best = "";
  for (const path of paths) {
    if (!path.endsWith("/package.json") || path.includes("node_modules/")) continue;
    const dir = path.slice(0, -"package.json".length);
    if (root.startsWith(dir) && dir.length > best.length) best = dir;
  }
  return best;
}

/** Counts, per default rule, what the plan leaves out, so a summary can say what was not done and why. */
function leftOutByDefaults(allPaths: readonly RepoPath[], files: readonly { path: RepoPath }[], roles: readonly Role[]): LeftOut[] {
  const planned = new Set(files.map((f) => f.path));
  const tests = allPaths.filter((p) => !planned.has(p) && isTestScript(p)).length;
  const configs = roles.some((r) => r !== "refactor") ? files.filter((f) => isConfigFile(f.path)).length : 0;
  const leftOut: LeftOut[] = [];
  if (tests > 0) leftOut.push({ count: tests, what: tests === 1 ? "test file" : "test files", why: "tests are not refactored by default" });
  if (configs > 0) leftOut.push({ count: configs, what: configs === 1 ? "config file or build script" : "config files and build scripts", why: "refactored only: no test or doc tasks" });
  return leftOut;
}

function dedupeByPath<T extends { path: RepoPath }>(files: readonly T[]): T[] {
  const seen = new Set<RepoPath>();
  return files.filter((file) => !seen.has(file.path) && (seen.add(file.path), true));
}

/**
 * For each file, the files it imports that it should wait for: imported plan files outside its own
 * strongly connected component, in file order. Waiting only across components keeps the result acyclic
 * (the components form a DAG) while putting every dependency outside a cycle first.
 */
export function importDependencies(
  paths: readonly RepoPath[],
  imports: ReadonlyMap<RepoPath, readonly RepoPath[]>,
): Map<RepoPath, RepoPath[]> {
  const position = new Map(paths.map((path, i) => [path, i]));
  const component = new Map<RepoPath, number>();
  stronglyConnectedComponents(paths, (path) => imports.get(path) ?? []).forEach((members, i) => {
    for (const member of members) component.set(member, i);
  });

  const result = new Map<RepoPath, RepoPath[]>();
  for (const path of paths) {
    const deps = new Set<RepoPath>();
    for (const target of imports.get(path) ?? []) {
      if (position.has(target) && component.get(target) !== component.get(path)) deps.add(target);
    }
    if (deps.size > 0) result.set(path, [...deps].sort((a, b) => position.get(a)! - position.get(b)!));
  }
  return result;
}
