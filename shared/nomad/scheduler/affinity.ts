import type { Affinity, Job, TaskGroup } from '../structs/job';
import type { Node } from '../structs/node';
import { checkOperand, resolveTarget } from './constraints';

/**
 * Node affinity (Nomad's NodeAffinityIterator): the weights of the job, group and task
 * affinities the node matches, over the sum of all their absolute weights. Zero when nothing
 * matches, in which case Nomad leaves the score out of the mean. Pure.
 */
export function groupAffinities(job: Job, group: TaskGroup): Affinity[] {
  return [...(job.Affinities ?? []), ...(group.Affinities ?? []), ...group.Tasks.flatMap((task) => task.Affinities ?? [])];
}

export function affinityScore(affinities: Affinity[], node: Node): number {
  if (affinities.length === 0) return 0;
  let total = 0;
  let sum = 0;
  for (const affinity of affinities) {
    sum += Math.abs(affinity.Weight);
    if (checkOperand(affinity.Operand, resolveTarget(affinity.LTarget, node), resolveTarget(affinity.RTarget, node))) {
      total += affinity.Weight;
    }
  }
  return sum === 0 ? 0 : total / sum;
}
