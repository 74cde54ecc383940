// Pure: which shard each file of a plan goes to. Every shard computes the same partition from the same plan,
// so no shard talks to another: the partition is the only coordination a sharded run has.
import type { Plan, RepoPath, Task, TaskId } from "../core/index.js";
import { stronglyConnectedComponents } from "../graph/index.js";

export interface ShardSpec {
  /** 1-based: shard k of n. */
  index: number;
  count: number;
}

export interface PartitionInput {
  plan: Plan;
  count: number;
  /** A task's expected tokens (prompt + answer): what the shards are balanced by. */
  weightOf(taskId: TaskId): number;
  /** Importer → imported files (HEAD's graph); files of one import cycle stay together. Absent: no grouping. */
  imports?: ReadonlyMap<RepoPath, readonly RepoPath[]>;
}

export interface Partition {
  /** File → its shard (1-based). */
  shardOf: Map<RepoPath, number>;
  /** Expected tokens per shard, index 0 = shard 1. */
  loads: number[];
}

/**
 * Greedy longest-processing-time: the groups (a file with all its tasks, or a whole import cycle) go, heaviest
 * first, to the lightest shard so far. Ties go to the smaller path and the lower shard, so the result depends on
 * the plan and weights only, never on map or scan order.
 */
export function partitionPlan(input: PartitionInput): Partition {
  const weightByFile = new Map<RepoPath, number>();
  for (const task of input.plan.tasks) weightByFile.set(task.file, (weightByFile.get(task.file) ?? 0) + input.weightOf(task.id));
  const files = [...weightByFile.keys()].sort(byPath);
  const groups = stronglyConnectedComponents(files, (file) => input.imports?.get(file) ?? [])
    .map((members) => ({ first: members.reduce((a, b) => (byPath(a, b) <= 0 ? a : b)), members, weight: members.reduce((sum, f) => sum + weightByFile.get(f)!, 0) }))
    .sort((a, b) => b.weight - a.weight || byPath(a.first, b.first));
  const loads = new Array<number>(input.count).fill(0);
  const shardOf = new Map<RepoPath, number>();
  for (const group of groups) {
    let lightest = 0;
    for (let i = 1; i < loads.length; i++) if (loads[i]! < loads[lightest]!) lightest = i;
    loads[lightest] += group.weight;
    for (const file of group.members) shardOf.set(file, lightest + 1);
  }
  return { shardOf, loads };
}

/**
 * Shard k's part of the plan: the tasks of its files. A dependency on another shard's task (a refactor waiting
 * for an imported file's refactor under "dependencies-first") is dropped: that task works from HEAD's version,
 * and the merge validates the union. A file's test and doc keep waiting for its refactor, which is in the shard.
 */
export function shardPlan(plan: Plan, partition: Partition, index: number): Plan {
  const tasks: Task[] = [];
  const ids = new Set<TaskId>();
  for (const task of plan.tasks) if (partition.shardOf.get(task.file) === index) ids.add(task.id);
  for (const task of plan.tasks) if (ids.has(task.id)) tasks.push({ ...task, dependsOn: task.dependsOn.filter((d) => ids.has(d)) });
  const files = new Set(tasks.map((t) => t.file));
  return { ...plan, tasks, files: plan.files.filter((f) => files.has(f.path)) };
}

/** Code-unit order, the same on every machine and locale. */
const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
