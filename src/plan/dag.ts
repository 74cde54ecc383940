// Checks and measures over the task DAG. Pure.
//
// A plan that breaks these invariants is a bug in refactor-swarm (buildPlan guarantees them), so
// checkPlan throws a plain Error, not a SwarmError: the CLI then reports it as an internal error.
import type { Plan, Task, TaskId } from "../core/index.js";
import { stronglyConnectedComponents } from "../graph/index.js";

/** Throws on duplicate task ids, duplicate outputs, unknown or self dependencies, or a cycle. */
export function checkPlan(plan: Plan): void {
  const ids = new Set<TaskId>();
  const owners = new Map<string, TaskId>();
  for (const task of plan.tasks) {
    if (ids.has(task.id)) throw new Error(`plan: task id ${task.id} appears twice`);
    ids.add(task.id);
    const owner = owners.get(task.output);
    if (owner !== undefined) throw new Error(`plan: ${task.id} and ${owner} both write ${task.output}`);
    owners.set(task.output, task.id);
  }
  for (const task of plan.tasks) {
    for (const dep of task.dependsOn) {
      if (dep === task.id) throw new Error(`plan: ${task.id} depends on itself`);
      if (!ids.has(dep)) throw new Error(`plan: ${task.id} depends on unknown task ${dep}`);
    }
  }
  topologicalLayers(plan.tasks);
}

/**
 * Topological layers: wave 0 has the tasks without prerequisites, wave k the tasks whose last
 * prerequisite is in wave k-1. Within a wave, tasks keep plan order. Throws on a cycle.
 */
export function waves(plan: Plan): TaskId[][] {
  return topologicalLayers(plan.tasks).map((layer) => layer.map((task) => task.id));
}

/**
 * The most expensive chain of dependent tasks, by the sum of `costOf` over its tasks (for example the
 * expected latency): no schedule, however wide, finishes sooner. `taskIds` runs from first to last.
 * Ties go to the chain found first in plan order.
 */
export function criticalPath(plan: Plan, costOf: (task: Task) => number): { length: number; taskIds: TaskId[] } {
  const best = new Map<TaskId, { length: number; via?: TaskId }>();
  let end: { id: TaskId; length: number } | undefined;

  for (const layer of topologicalLayers(plan.tasks)) {
    for (const task of layer) {
      let via: TaskId | undefined;
      let before = 0;
      for (const dep of task.dependsOn) {
        const length = best.get(dep)!.length;
        if (via === undefined || length > before) {
          via = dep;
          before = length;
        }
      }
      const length = before + costOf(task);
      best.set(task.id, { length, via });
      if (end === undefined || length > end.length) end = { id: task.id, length };
    }
  }
  if (!end) return { length: 0, taskIds: [] };

  const taskIds: TaskId[] = [];
  for (let id: TaskId | undefined = end.id; id !== undefined; id = best.get(id)!.via) taskIds.push(id);
  taskIds.reverse();
  return { length: end.length, taskIds };
}

/** Kahn's algorithm in layers; linear in tasks + edges. Assumes dependencies name known tasks. */
function topologicalLayers(tasks: readonly Task[]): Task[][] {
  const position = new Map(tasks.map((task, i) => [task.id, i]));
  const waiting = new Map<TaskId, number>();
  const dependents = new Map<TaskId, Task[]>();
  for (const task of tasks) {
    const deps = new Set(task.dependsOn.filter((dep) => position.has(dep)));
    waiting.set(task.id, deps.size);
    for (const dep of deps) {
      const list = dependents.get(dep);
      if (list) list.push(task);
      else dependents.set(dep, [task]);
    }
  }

  const layers: Task[][] = [];
  let layer = tasks.filter((task) => waiting.get(task.id) === 0);
  let placed = 0;
  while (layer.length > 0) {
    layers.push(layer);
    placed += layer.length;
    const next: Task[] = [];
    for (const task of layer) {
      for (const dependent of dependents.get(task.id) ?? []) {
        const left = waiting.get(dependent.id)! - 1;
        waiting.set(dependent.id, left);
        if (left === 0) next.push(dependent);
      }
    }
    layer = next.sort((a, b) => position.get(a.id)! - position.get(b.id)!);
  }

  if (placed < tasks.length) throw new Error(`plan: dependency cycle among ${describeCycle(tasks, waiting)}`);
  return layers;
}

/** Names the members of one cycle among the tasks Kahn's algorithm could not place. */
function describeCycle(tasks: readonly Task[], waiting: ReadonlyMap<TaskId, number>): string {
  const stuck = tasks.filter((task) => waiting.get(task.id)! > 0);
  const byId = new Map(stuck.map((task) => [task.id, task]));
  const cycle =
    stronglyConnectedComponents(
      stuck.map((task) => task.id),
      (id) => byId.get(id)?.dependsOn ?? [],
    ).find((members) => members.length > 1) ?? stuck.map((task) => task.id);
  return cycle.join(", ");
}
