import type { AllocMetric } from '../structs/evaluation';
import { groupClaim, newAllocation } from './alloc-factory';
import { baseNodes } from './feasible';
import { reconcile, type Stop } from './reconcile';
import { emptyMetric, NodeSelector, sampleLimit } from './select-node';
import type { DesiredUpdates, Plan, PlannedStop, SchedulerInput, SchedulerResult } from './types';

/**
 * The service and batch scheduler: reconcile, then find a node for each placement, and return the
 * plan with what could not be placed and why. Pure: the same snapshot gives the same plan for the
 * same random source.
 */
function shuffled<T>(items: T[], random: () => number): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}

function plannedStop(stop: Stop): PlannedStop {
  const { alloc } = stop.stored;
  return {
    allocId: alloc.ID,
    nodeId: alloc.NodeID,
    desiredDescription: stop.description,
    clientStatus: stop.lost ? 'lost' : undefined,
    claim: stop.stored.claim,
    wasLive: stop.stored.live,
    previousClientStatus: alloc.ClientStatus,
    taskGroup: alloc.TaskGroup,
  };
}

function emptyDesired(): DesiredUpdates {
  return { Ignore: 0, Place: 0, Migrate: 0, Stop: 0, InPlaceUpdate: 0, DestructiveUpdate: 0, Canary: 0, Preemptions: 0 };
}

export function computePlan({ snapshot, evaluation, options }: SchedulerInput): SchedulerResult {
  const { job } = snapshot;
  const random = options.random ?? Math.random;
  const reconciliation = reconcile(job, snapshot.allocs, snapshot.nodes, snapshot.versions);
  const plan: Plan = { evalId: evaluation.ID, placements: [], stops: [], inPlaceUpdates: [] };
  const result: SchedulerResult = { plan, failedTGAllocs: {}, queuedAllocations: {}, desiredTGUpdates: {} };

  plan.stops.push(...reconciliation.stop.map(plannedStop));
  for (const group of reconciliation.groups) plan.stops.push(...group.stop.map(plannedStop));
  if (!job || job.Stop) return result;

  const base = baseNodes(job, shuffled(snapshot.nodes, random));
  const selector = new NodeSelector(base, sampleLimit(base.nodes.length, job.Type === 'batch'));
  const stopping = new Set(plan.stops.map((stop) => stop.allocId));
  for (const stop of plan.stops) if (stop.wasLive) selector.release(stop.nodeId, stop.claim);
  for (const stored of snapshot.allocs) {
    if (stored.live && !stopping.has(stored.alloc.ID)) selector.countCollision(stored.alloc.NodeID, stored.alloc.TaskGroup);
  }

  for (const group of reconciliation.groups) {
    const name = group.group.Name;
    const desired = emptyDesired();
    desired.Ignore = group.ignore;
    desired.InPlaceUpdate = group.inPlace.length;
    desired.DestructiveUpdate = group.destructive;
    desired.Stop = group.stop.length - group.destructive;
    desired.Place = group.place.length - group.destructive;
    result.desiredTGUpdates[name] = desired;
    result.queuedAllocations[name] = 0;

    for (const stored of group.inPlace) {
      plan.inPlaceUpdates.push({
        allocId: stored.alloc.ID,
        nodeId: stored.alloc.NodeID,
        jobVersion: job.Version,
        jobModifyIndex: job.JobModifyIndex,
      });
    }

    const claim = groupClaim(group.group);
    let failure: AllocMetric | undefined;
    for (const placement of group.place) {
      if (failure) {
        failure.CoalescedFailures++;
        result.queuedAllocations[name]++;
        continue;
      }
      const started = performance.now();
      const metric = emptyMetric(base);
      const selection = selector.select(group.group, claim, metric);
      metric.AllocationTime = Math.round((performance.now() - started) * 1_000_000);
      if (!selection) {
        failure = metric;
        result.failedTGAllocs[name] = metric;
        result.queuedAllocations[name]++;
        continue;
      }
      metric.Scores = { [`${selection.node.node.ID}.normalized-score`]: selection.score };
      plan.placements.push(
        newAllocation({
          id: options.newId(),
          evalId: evaluation.ID,
          job,
          group: group.group,
          name: placement.name,
          node: selection.node.node,
          metric,
          previous: placement.previous,
          now: snapshot.now,
        }),
      );
    }
  }
  return result;
}

