/**
 * Which taskmanager runs each subtask (Flink's slot sharing: `SlotSharingGroup` and the
 * scheduler's slot allocation, reduced to a pure function of the job graph).
 *
 * Model: a slot sharing group needs as many slots as its most parallel chain; subtask `s` of
 * every chain in a group runs in the group's slot `s`, so a slot holds one subtask of each chain
 * of its group (a whole pipeline slice). Different groups never share a slot. The slots of all
 * groups, group after group, are dealt round-robin over the taskmanagers; with a single group
 * subtask `s` lands on taskmanager `s % n`.
 */
import { slotSharingGroupOf, type JobGraphSpec } from './chaining.ts';

/**
 * The slots each slot sharing group needs, in the order the groups first appear.
 *
 * @example
 * requiredSlots(jobGraph); // [{ group: 'default', slots: 2 }, { group: 'scoring', slots: 4 }]
 */
export function requiredSlots(jobGraph: JobGraphSpec): { group: string; slots: number }[] {
  const byGroup = new Map<string, number>();
  for (const c of jobGraph.chains) {
    const group = slotSharingGroupOf(c.vertices[0]!);
    byGroup.set(group, Math.max(byGroup.get(group) ?? 0, c.parallelism));
  }
  return [...byGroup].map(([group, slots]) => ({ group, slots }));
}

/**
 * The slots taskmanager `taskManager` gives a job placed by `assignment`: per slot sharing group,
 * as many as the group's chains have subtasks there at most (a slot holds one subtask of each
 * chain of its group), as Flink's Task Managers view counts them.
 *
 * @example
 * slotsUsedOn(jobGraph, assignSubtasks(jobGraph, 2), 0); // 1 for a job of parallelism 2 in one group
 */
export function slotsUsedOn(jobGraph: JobGraphSpec, assignment: readonly (readonly number[])[], taskManager: number): number {
  const byGroup = new Map<string, number>();
  jobGraph.chains.forEach((c, ci) => {
    const here = (assignment[ci] ?? []).filter((tm) => tm === taskManager).length;
    const group = slotSharingGroupOf(c.vertices[0]!);
    byGroup.set(group, Math.max(byGroup.get(group) ?? 0, here));
  });
  let slots = 0;
  for (const n of byGroup.values()) slots += n;
  return slots;
}

/**
 * `assignment[chain][subtask]` = index of the taskmanager (0..taskManagers-1) that runs it.
 * Throws when `slotsPerTaskManager` is given and the groups need more slots than there are.
 *
 * @example
 * assignSubtasks(buildJobGraph(graph), 2, 4); // [[0, 1], [0, 1], [0]]
 */
export function assignSubtasks(jobGraph: JobGraphSpec, taskManagers: number, slotsPerTaskManager?: number): number[][] {
  if (!Number.isInteger(taskManagers) || taskManagers < 1) throw new Error(`Cannot place job '${jobGraph.graph.name}': there are no taskmanagers (${taskManagers})`);
  const groups = requiredSlots(jobGraph);
  const total = groups.reduce((n, g) => n + g.slots, 0);
  if (slotsPerTaskManager !== undefined && total > taskManagers * slotsPerTaskManager) {
    const needs = groups.map((g) => `'${g.group}' ${g.slots}`).join(', ');
    throw new Error(
      `Job '${jobGraph.graph.name}' needs ${total} slots (slot sharing groups: ${needs}), but ${taskManagers} taskmanagers with ${slotsPerTaskManager} slots each offer ${taskManagers * slotsPerTaskManager}`,
    );
  }
  const firstSlot = new Map<string, number>();
  let next = 0;
  for (const g of groups) {
    firstSlot.set(g.group, next);
    next += g.slots;
  }
  return jobGraph.chains.map((c) => {
    const first = firstSlot.get(slotSharingGroupOf(c.vertices[0]!))!;
    return Array.from({ length: c.parallelism }, (_, s) => (first + s) % taskManagers);
  });
}
