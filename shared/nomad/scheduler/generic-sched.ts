import type { AllocMetric } from '../structs/evaluation';
import { isActiveDeployment } from '../structs/deployment';
import type { Job } from '../structs/job';
import type { StoredAlloc, StoredNode } from '../structs/cluster-state';
import { groupClaim, newAllocation } from './alloc-factory';
import { baseNodes, Feasibility } from './feasible';
import { ProposedAllocs } from './proposed';
import { reconcile, type Placement, type Reconciliation, type Stop } from './reconcile';
import { reconcileSystem } from './reconcile-system';
import { nextTracker } from './reschedule';
import { negateClaim } from './rank';
import { emptyMetric, NodeSelector, type Selection } from './select-node';
import type { Plan, PlannedStop, SchedulerInput, SchedulerResult } from './types';

/**
 * The scheduler: reconcile (what must change), then find a node for each placement
 * (feasibility, ranking, sampling), and return the plan with what could not be placed and why.
 * Service and batch jobs go through the reconciler; system and sysbatch jobs get one allocation
 * per eligible node. Pure: the same snapshot gives the same plan for the same random source and
 * IDs. The worker commits the plan; the plan endpoint only shows it.
 */
/** Node lookups by ID, built once per node list (the worker reuses its list across evaluations). */
const indexes = new WeakMap<StoredNode[], Map<string, StoredNode>>();
export function nodeIndex(nodes: StoredNode[]): Map<string, StoredNode> {
  let index = indexes.get(nodes);
  if (!index) indexes.set(nodes, (index = new Map(nodes.map((entry) => [entry.node.ID, entry]))));
  return index;
}

function plannedStop(stop: Stop, replacedBy?: string): PlannedStop {
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
    replacedBy,
  };
}

function emptyPlan(evalId: string): Plan {
  return { evalId, placements: [], stops: [], inPlaceUpdates: [], allocUpdates: [], deploymentUpdates: [], followupEvals: [] };
}

function isSystem(job: Job | undefined): job is Job {
  return !!job && (job.Type === 'system' || job.Type === 'sysbatch');
}

function reconcileFor({ snapshot, evaluation, options }: SchedulerInput, nodes: Map<string, StoredNode>): Reconciliation {
  const { job } = snapshot;
  const common = { allocs: snapshot.allocs, nodes, versions: snapshot.versions, evaluation, now: snapshot.now, newId: options.newId };
  if (isSystem(job) && !job.Stop) return reconcileSystem({ ...common, job });
  return reconcile({ ...common, job, deployment: snapshot.deployment });
}

/** Nodes a rescheduled allocation should avoid: where it and its predecessors failed. */
function penaltyNodes(previous: StoredAlloc): Set<string> {
  return new Set([previous.alloc.NodeID, ...(previous.alloc.RescheduleTracker?.Events ?? []).map((event) => event.PrevNodeID)]);
}

function recordScores(metric: AllocMetric, selection: Selection): void {
  const nodeId = selection.node.node.ID;
  metric.Scores = Object.fromEntries([
    ...Object.entries(selection.scores).map(([name, value]) => [`${nodeId}.${name}`, value]),
    [`${nodeId}.normalized-score`, selection.score],
  ]);
  metric.ScoreMetaData = [{ NodeID: nodeId, Scores: selection.scores, NormScore: selection.score }];
}

/** A whole plan at once: what the plan endpoint shows, and what a slice-less worker would commit. */
export function computePlan(input: SchedulerInput): SchedulerResult {
  return planInSlices(input).next(Infinity);
}

/**
 * One evaluation's plan, made in slices: reconciliation and ranking state are computed once, and
 * each `next(max)` finds nodes for at most `max` more placements. The first slice carries every
 * other change (stops, in-place updates, the deployment, follow-ups); the later ones only
 * placements (with the stops of the allocations they replace). Each slice sees the capacity and
 * allocations of the slices before it, as if they were committed, so the worker can commit one
 * slice before it plans the next and a large count is never held in memory or committed at once.
 */
export interface PlanSlices {
  next(max: number): SchedulerResult;
}

export function planInSlices(input: SchedulerInput): PlanSlices {
  const { snapshot, evaluation, options } = input;
  const { job } = snapshot;
  const nodes = nodeIndex(snapshot.nodes);
  const reconciliation = reconcileFor(input, nodes);
  const plan: Plan = {
    evalId: evaluation.ID,
    placements: [],
    stops: reconciliation.stop.map((stop) => plannedStop(stop)),
    inPlaceUpdates: [],
    allocUpdates: reconciliation.followupStamps.map(({ stored, evalId }) => ({ allocId: stored.alloc.ID, followupEvalId: evalId })),
    deployment: reconciliation.createdDeployment ? reconciliation.deployment : undefined,
    deploymentUpdates: reconciliation.deploymentUpdates,
    followupEvals: reconciliation.followupEvals,
  };
  let result: SchedulerResult = {
    plan,
    failedTGAllocs: {},
    queuedAllocations: {},
    desiredTGUpdates: reconciliation.desired,
    classEligibility: {},
    escapedComputedClass: false,
    deferredPlacements: 0,
  };
  if (!job || job.Stop) {
    let first = true;
    return {
      next() {
        if (!first) return { ...result, plan: emptyPlan(evaluation.ID), deferredPlacements: 0 };
        first = false;
        return result;
      },
    };
  }

  const feasibility = new Feasibility(job);
  const base = baseNodes(job, snapshot.nodes);
  const proposed = new ProposedAllocs();
  const stopping = new Set(plan.stops.map((stop) => stop.allocId));
  for (const stored of snapshot.allocs) {
    const node = nodes.get(stored.alloc.NodeID);
    if (node && stored.live && !stopping.has(stored.alloc.ID) && stored.jobCreateIndex === job.CreateIndex) {
      proposed.add({ node: node.node, group: stored.alloc.TaskGroup });
    }
  }
  const selector = new NodeSelector(job, base, feasibility, proposed, {
    algorithm: options.algorithm ?? 'binpack',
    batch: job.Type === 'batch',
    random: options.random ?? Math.random,
  });
  for (const stop of plan.stops) {
    const node = nodes.get(stop.nodeId);
    if (stop.wasLive && node) {
      selector.release(node, stop.claim);
      proposed.remove({ node: node.node, group: stop.taskGroup });
    }
  }

  const deployment = reconciliation.deployment;
  const deploymentId = deployment && isActiveDeployment(deployment.Status) ? deployment.ID : '';
  for (const stored of reconciliation.inPlace) {
    plan.inPlaceUpdates.push({
      allocId: stored.alloc.ID,
      nodeId: stored.alloc.NodeID,
      jobVersion: job.Version,
      jobModifyIndex: job.JobModifyIndex,
      deploymentId,
      taskGroup: stored.alloc.TaskGroup,
      joinsDeployment: deploymentId !== '' && stored.alloc.DeploymentID !== deploymentId,
    });
  }

  for (const group of job.TaskGroups) result.queuedAllocations[group.Name] = 0;
  const unconditional = new Map(reconciliation.stop.map((stop, i) => [stop, plan.stops[i]]));
  /** Placements not looked at yet, per group. */
  const unplaced: Record<string, number> = {};
  for (const placement of reconciliation.place) unplaced[placement.group.Name] = (unplaced[placement.group.Name] ?? 0) + 1;
  let cursor = 0;
  let first = true;
  return {
    next(max) {
      if (!first) result = { ...result, plan: emptyPlan(evaluation.ID) };
      first = false;
      const placements = result.plan.placements;
      while (cursor < reconciliation.place.length && placements.length < max) {
        const placement = reconciliation.place[cursor++];
        unplaced[placement.group.Name]--;
        place(placement, result.plan);
      }
      // Failed placements are queued for good; deferred ones only until a later slice.
      const queued = { ...result.queuedAllocations };
      for (const [name, count] of Object.entries(unplaced)) queued[name] = (queued[name] ?? 0) + count;
      return {
        ...result,
        queuedAllocations: queued,
        classEligibility: feasibility.classEligibility,
        escapedComputedClass: feasibility.escaped,
        deferredPlacements: reconciliation.place.length - cursor,
      };
    },
  };

  function place(placement: Placement, plan: Plan): void {
    const { group, previous } = placement;
    const name = group.Name;
    const failure = result.failedTGAllocs[name];
    const target = placement.nodeId ? nodes.get(placement.nodeId) : undefined;
    if (placement.nodeId && (!target || !selector.feasible(target, group))) {
      // System jobs skip the nodes their constraints rule out.
      result.desiredTGUpdates[name].Place = Math.max(0, result.desiredTGUpdates[name].Place - 1);
      return;
    }
    if (failure && !placement.nodeId) {
      failure.CoalescedFailures++;
      result.queuedAllocations[name]++;
      return;
    }
    const claim = groupClaim(group);
    // A replacement may use what the allocation it replaces gives back.
    const releasesPrevious = !!placement.stop && !unconditional.has(placement.stop) && previous?.live;
    const previousNode = previous ? nodes.get(previous.alloc.NodeID) : undefined;
    if (releasesPrevious && previousNode) selector.release(previousNode, previous!.claim);
    const started = performance.now();
    const metric = emptyMetric(base);
    const selection = target
      ? selector.selectOn(target, group, claim, metric)
      : selector.select(group, claim, metric, placement.reschedule && previous ? penaltyNodes(previous) : undefined);
    metric.AllocationTime = Math.round((performance.now() - started) * 1_000_000);
    if (!selection) {
      if (releasesPrevious && previousNode) selector.release(previousNode, negateClaim(previous!.claim));
      if (failure) failure.CoalescedFailures++;
      else result.failedTGAllocs[name] = metric;
      result.queuedAllocations[name]++;
      return;
    }
    recordScores(metric, selection);
    const policy = (previous && snapshot.versions[previous.jobVersion]?.TaskGroups.find((g) => g.Name === name)?.ReschedulePolicy) ?? group.ReschedulePolicy;
    const stored = newAllocation({
      id: options.newId(),
      evalId: evaluation.ID,
      job: job!,
      group,
      name: placement.name,
      node: selection.node.node,
      metric,
      previous,
      deploymentId,
      canary: placement.canary && deploymentId !== '',
      rescheduleTracker: placement.reschedule && previous ? nextTracker(previous.alloc, policy, snapshot.now) : undefined,
      now: snapshot.now,
    });
    plan.placements.push(stored);
    if (placement.stop) {
      const existing = unconditional.get(placement.stop);
      if (existing) existing.replacedBy = stored.alloc.ID;
      else plan.stops.push(plannedStop(placement.stop, stored.alloc.ID));
    }
  }
}
