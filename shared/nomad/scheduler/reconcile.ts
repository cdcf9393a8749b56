import { isClientTerminal, isTerminal } from '../structs/allocation';
import { isActiveDeployment, type Deployment, type DeploymentState } from '../structs/deployment';
import type { Evaluation } from '../structs/evaluation';
import type { Job, TaskGroup } from '../structs/job';
import type { StoredAlloc, StoredNode } from '../structs/cluster-state';
import {
  DEPLOYMENT_DESCRIPTIONS,
  isEmptyStrategy,
  newDeployment,
  newGroupState,
  runningDescription,
  type DeploymentStatusUpdate,
} from './deployment-state';
import { NameIndex } from './name-index';
import { nextRescheduleTime } from './reschedule';
import { tasksUpdated } from './tasks-updated';
import type { DesiredUpdates } from './types';

/**
 * The reconciler for service and batch jobs (Nomad's allocReconciler): from what is desired
 * (the job, its update strategy, its deployment) and what exists (allocations and the nodes
 * they are on), it decides per task group what to place, stop, update in place or replace,
 * which failed allocations to reschedule now or later, and how the deployment moves. It picks
 * no nodes. Pure.
 */
const STOP_NOT_NEEDED = 'alloc not needed due to job update';
export const STOP_LOST = 'alloc is lost since its node is down';
export const STOP_UPDATED = 'alloc is being updated due to job update';
export const STOP_MIGRATING = 'alloc is being migrated';
const STOP_RESCHEDULED = 'alloc was rescheduled because it failed';
export const STOP_NODE_TAINTED = 'alloc not needed as node is tainted';
const FOLLOWUP_DESCRIPTION = 'created for delayed rescheduling';
/** Failed allocations due within this window share one follow-up evaluation. */
const FOLLOWUP_WINDOW_MS = 5_000;
/** A reschedule due this soon happens now. */
const RESCHEDULE_WINDOW_MS = 1_000;

export interface Placement {
  group: TaskGroup;
  name: string;
  /** The allocation this one replaces; the plan stops it (with `stop`) only if this one is placed. */
  previous?: StoredAlloc;
  stop?: Stop;
  reschedule: boolean;
  canary: boolean;
  /** System jobs: the node the allocation must go on. */
  nodeId?: string;
}

export interface Stop {
  stored: StoredAlloc;
  description: string;
  lost: boolean;
}

export interface FollowupStamp {
  stored: StoredAlloc;
  evalId: string;
}

export interface Reconciliation {
  place: Placement[];
  stop: Stop[];
  inPlace: StoredAlloc[];
  followupStamps: FollowupStamp[];
  followupEvals: Evaluation[];
  desired: Record<string, DesiredUpdates>;
  /** The deployment this plan works under: a new one (`created`) or the current one, with this plan's changes. */
  deployment?: Deployment;
  createdDeployment: boolean;
  deploymentUpdates: DeploymentStatusUpdate[];
}

export interface ReconcileInput {
  job: Job | undefined;
  allocs: StoredAlloc[];
  nodes: Map<string, StoredNode>;
  versions: Record<number, Job>;
  deployment?: Deployment;
  evaluation: Pick<Evaluation, 'ID' | 'Priority'>;
  /** Unix ms. */
  now: number;
  newId: () => string;
}

export function emptyReconciliation(): Reconciliation {
  return { place: [], stop: [], inPlace: [], followupStamps: [], followupEvals: [], desired: {}, createdDeployment: false, deploymentUpdates: [] };
}

export function emptyDesired(): DesiredUpdates {
  return { Ignore: 0, Place: 0, Migrate: 0, Stop: 0, InPlaceUpdate: 0, DestructiveUpdate: 0, Canary: 0, Preemptions: 0 };
}

/** Nodes whose allocations cannot stay: down, disconnected, draining, or gone. */
export function nodeState(nodes: Map<string, StoredNode>, nodeId: string): 'ok' | 'lost' | 'draining' {
  const entry = nodes.get(nodeId);
  if (!entry || entry.node.Status === 'down' || entry.node.Status === 'disconnected') return 'lost';
  return entry.node.DrainStrategy ? 'draining' : 'ok';
}

/** The stop of an allocation nothing needs any more: lost if its node is gone and it had not finished. */
export function unneededStop(stored: StoredAlloc, nodes: Map<string, StoredNode>): Stop {
  const lost = nodeState(nodes, stored.alloc.NodeID) === 'lost' && !isClientTerminal(stored.alloc.ClientStatus);
  return { stored, description: lost ? STOP_LOST : STOP_NOT_NEEDED, lost };
}

function ranSuccessfully(stored: StoredAlloc): boolean {
  const states = Object.values(stored.alloc.TaskStates ?? {});
  return states.length > 0 && states.every((state) => state?.State === 'dead' && !state.Failed);
}

function isCanary(stored: StoredAlloc): boolean {
  return stored.alloc.DeploymentStatus?.Canary === true;
}

function byName(a: StoredAlloc, b: StoredAlloc): number {
  return a.alloc.Name.localeCompare(b.alloc.Name, 'en', { numeric: true });
}

class Reconciler {
  readonly result = emptyReconciliation();
  private deployment?: Deployment;
  private oldDeployment?: Deployment;
  private paused = false;
  private failed = false;

  constructor(
    private readonly job: Job,
    private readonly input: ReconcileInput,
  ) {}

  run(allocs: StoredAlloc[]): void {
    this.cancelUnneededDeployments();
    if (this.deployment) {
      this.paused = ['paused', 'pending', 'initializing'].includes(this.deployment.Status);
      this.failed = this.deployment.Status === 'failed';
    }
    const byGroup = new Map<string, StoredAlloc[]>();
    for (const stored of allocs) {
      const list = byGroup.get(stored.alloc.TaskGroup) ?? [];
      list.push(stored);
      byGroup.set(stored.alloc.TaskGroup, list);
    }
    let complete = true;
    for (const [name, groupAllocs] of byGroup) {
      if (!this.job.TaskGroups.some((group) => group.Name === name)) this.stopAll(name, groupAllocs);
    }
    for (const group of this.job.TaskGroups) {
      complete = this.computeGroup(group, byGroup.get(group.Name) ?? []) && complete;
    }
    const deployment = this.deployment;
    if (deployment && !this.result.createdDeployment && complete && deployment.Status === 'running') {
      this.result.deploymentUpdates.push({ deploymentId: deployment.ID, status: 'successful', description: DEPLOYMENT_DESCRIPTIONS.successful });
    }
    if (this.result.createdDeployment && deployment) deployment.StatusDescription = runningDescription(deployment);
    this.result.deployment = deployment;
  }

  private cancelUnneededDeployments(): void {
    const current = this.input.deployment;
    if (!current) return;
    if (current.JobCreateIndex !== this.job.CreateIndex || current.JobVersion !== this.job.Version) {
      if (isActiveDeployment(current.Status)) this.result.deploymentUpdates.push({ deploymentId: current.ID, status: 'cancelled', description: DEPLOYMENT_DESCRIPTIONS.newerJob });
      this.oldDeployment = current;
      return;
    }
    if (current.Status === 'successful') {
      this.oldDeployment = current;
      return;
    }
    this.deployment = structuredClone(current);
  }

  private markStop(stored: StoredAlloc, description: string, lost = false): void {
    this.result.stop.push({ stored, description, lost });
  }

  private stopAll(groupName: string, allocs: StoredAlloc[]): void {
    const desired = (this.result.desired[groupName] = emptyDesired());
    for (const stored of allocs) {
      if (!stored.live) continue;
      this.result.stop.push(unneededStop(stored, this.input.nodes));
      desired.Stop++;
    }
  }

  /** Nomad's shouldFilter: (untainted, ignore) for allocations that are not simply running. */
  private filterKind(stored: StoredAlloc): 'untainted' | 'ignore' | 'candidate' {
    const { alloc } = stored;
    if (this.job.Type === 'batch') {
      if (alloc.DesiredStatus === 'stop') return ranSuccessfully(stored) ? 'untainted' : 'ignore';
      if (alloc.DesiredStatus === 'evict') return 'ignore';
      return alloc.ClientStatus === 'failed' ? 'candidate' : 'untainted';
    }
    if (alloc.DesiredStatus !== 'run') return 'ignore';
    if (alloc.ClientStatus === 'complete' || alloc.ClientStatus === 'lost') return 'ignore';
    return 'candidate';
  }

  private computeGroup(group: TaskGroup, all: StoredAlloc[]): boolean {
    const desired = (this.result.desired[group.Name] = emptyDesired());
    const existing = this.deployment?.TaskGroups[group.Name];
    const dstate: DeploymentState = existing ? existing : newGroupState(group.Update);

    // Terminal batch allocations of older versions are history, not part of the group.
    if (this.job.Type === 'batch') {
      all = all.filter((stored) => {
        const older = stored.jobVersion < this.job.Version || stored.jobCreateIndex < this.job.CreateIndex;
        if (older && isTerminal(stored.alloc)) {
          desired.Ignore++;
          return false;
        }
        return true;
      });
    }

    // Canaries of an old or failed deployment that were never promoted go away.
    const staleCanaryIds = new Set<string>();
    for (const deployment of [this.oldDeployment, this.deployment?.Status === 'failed' ? this.deployment : undefined]) {
      for (const state of Object.values(deployment?.TaskGroups ?? {})) {
        if (!state.Promoted) for (const id of state.PlacedCanaries ?? []) staleCanaryIds.add(id);
      }
    }
    all = all.filter((stored) => {
      if (!staleCanaryIds.has(stored.alloc.ID)) return true;
      if (stored.live) {
        this.markStop(stored, STOP_NOT_NEEDED);
        desired.Stop++;
      }
      return false;
    });

    const canaryIds = new Set(Object.values(this.deployment?.TaskGroups ?? {}).flatMap((state) => state.PlacedCanaries ?? []));
    let canaries = all.filter((stored) => canaryIds.has(stored.alloc.ID));
    for (const canary of canaries) {
      if (isTerminal(canary.alloc)) continue;
      const state = nodeState(this.input.nodes, canary.alloc.NodeID);
      if (state === 'lost') this.markStop(canary, STOP_LOST, true);
      else if (state === 'draining' && canary.alloc.DesiredTransition?.Migrate) this.markStop(canary, STOP_MIGRATING);
    }
    const movedCanaries = new Set(this.result.stop.map((stop) => stop.stored.alloc.ID));
    canaries = canaries.filter((stored) => !movedCanaries.has(stored.alloc.ID));
    all = all.filter((stored) => !movedCanaries.has(stored.alloc.ID));

    // Where each allocation stands: on a healthy node, migrating off a draining one, or lost.
    const untaintedAll: StoredAlloc[] = [];
    const migrate: StoredAlloc[] = [];
    const lost: StoredAlloc[] = [];
    for (const stored of all) {
      if (isTerminal(stored.alloc)) untaintedAll.push(stored);
      else if (stored.alloc.DesiredTransition?.Migrate) migrate.push(stored);
      else if (nodeState(this.input.nodes, stored.alloc.NodeID) === 'lost') lost.push(stored);
      else untaintedAll.push(stored);
    }

    // Failed allocations: reschedule now, later (with a follow-up evaluation), or never.
    const untainted: StoredAlloc[] = [];
    const rescheduleNow: StoredAlloc[] = [];
    const rescheduleLater: { stored: StoredAlloc; at: number }[] = [];
    for (const stored of untaintedAll) {
      if (stored.alloc.NextAllocation && isTerminal(stored.alloc)) continue;
      const kind = this.filterKind(stored);
      if (kind === 'untainted') untainted.push(stored);
      if (kind !== 'candidate') continue;
      const due = this.rescheduleDue(stored, group);
      if (due === 'now') rescheduleNow.push(stored);
      else {
        untainted.push(stored);
        if (due !== undefined) rescheduleLater.push({ stored, at: due });
      }
    }
    this.createFollowups(rescheduleLater);

    const names = new NameIndex(this.job.ID, group.Name, group.Count, [...untainted, ...migrate, ...rescheduleNow, ...lost].map((s) => s.alloc.Name));
    let isCanarying = dstate.DesiredCanaries !== 0 && !dstate.Promoted;
    const stopped = this.computeStop(group, names, untainted, migrate, lost, canaries, isCanarying, desired);
    let remaining = untainted.filter((stored) => !stopped.has(stored.alloc.ID));

    // Updates: unchanged, in place, or destructive.
    const destructive: StoredAlloc[] = [];
    let inPlaceCount = 0;
    for (const stored of remaining) {
      const kind = this.updateKind(stored, group);
      if (kind === 'ignore') desired.Ignore++;
      else if (kind === 'destructive') destructive.push(stored);
      else {
        inPlaceCount++;
        this.result.inPlace.push(stored);
      }
    }
    desired.InPlaceUpdate += inPlaceCount;
    if (!existing) dstate.DesiredTotal += destructive.length + inPlaceCount;

    if (isCanarying) remaining = remaining.filter((stored) => !canaryIds.has(stored.alloc.ID));
    const requiresCanaries = !!group.Update && destructive.length > 0 && canaries.length < group.Update.Canary && !dstate.Promoted;
    if (requiresCanaries) {
      dstate.DesiredCanaries = group.Update!.Canary;
      if (!this.paused && !this.failed) {
        const wanted = group.Update!.Canary - canaries.length;
        desired.Canary += wanted;
        const canaryNames = new Set(canaries.map((stored) => stored.alloc.Name));
        for (const name of names.nextCanaries(wanted, canaryNames, destructive.map((stored) => stored.alloc.Name))) {
          this.result.place.push({ group, name, reschedule: false, canary: true });
        }
      }
    }
    isCanarying = dstate.DesiredCanaries !== 0 && !dstate.Promoted;

    let budget = this.budget(group, remaining, destructive, migrate, isCanarying);
    const place = this.computePlacements(group, names, remaining, migrate, rescheduleNow, lost);
    if (!existing) dstate.DesiredTotal += place.length;

    const placeReady = !this.paused && !this.failed && !isCanarying;
    budget = this.computeReplacements(placeReady, desired, place, rescheduleNow, lost, budget);

    if (placeReady) {
      const take = Math.min(destructive.length, budget);
      desired.DestructiveUpdate += take;
      desired.Ignore += destructive.length - take;
      for (const stored of [...destructive].sort(byName).slice(0, take)) {
        const stop: Stop = { stored, description: STOP_UPDATED, lost: false };
        this.result.place.push({ group, name: stored.alloc.Name, previous: stored, stop, reschedule: false, canary: false });
      }
    } else {
      desired.Ignore += destructive.length;
    }

    desired.Migrate += migrate.length;
    for (const stored of [...migrate].sort(byName)) {
      const stop: Stop = { stored, description: STOP_MIGRATING, lost: false };
      this.result.place.push({ group, name: stored.alloc.Name, previous: stored, stop, reschedule: false, canary: isCanary(stored) });
    }

    this.createDeployment(group, existing !== undefined, dstate, all, destructive.length > 0 || inPlaceCount > 0);
    const complete =
      destructive.length + inPlaceCount + place.length + migrate.length + rescheduleNow.length + rescheduleLater.length === 0 && !requiresCanaries;
    if (!complete || !this.deployment) return false;
    const state = this.deployment.TaskGroups[group.Name];
    if (state && (state.HealthyAllocs < Math.max(state.DesiredTotal, state.DesiredCanaries) || (state.DesiredCanaries > 0 && !state.Promoted))) {
      return false;
    }
    return true;
  }

  /** 'now', a unix-ms time for later, or undefined when the allocation is not rescheduled. */
  private rescheduleDue(stored: StoredAlloc, group: TaskGroup): 'now' | number | undefined {
    const { alloc } = stored;
    const deployment = this.deployment;
    if (deployment && isActiveDeployment(deployment.Status) && alloc.DeploymentID === deployment.ID && !alloc.DesiredTransition?.Reschedule) return undefined;
    if (alloc.DesiredTransition?.ForceReschedule) return 'now';
    const policy = (this.input.versions[stored.jobVersion] ?? this.job).TaskGroups.find((g) => g.Name === group.Name)?.ReschedulePolicy ?? group.ReschedulePolicy;
    const next = nextRescheduleTime(alloc, policy);
    if (!next.eligible) return undefined;
    if (alloc.FollowupEvalID === this.input.evaluation.ID || next.at - this.input.now <= RESCHEDULE_WINDOW_MS) return 'now';
    return alloc.FollowupEvalID ? undefined : next.at;
  }

  /** One follow-up evaluation per window of due times, stamped on the allocations it is for. */
  private createFollowups(later: { stored: StoredAlloc; at: number }[]): void {
    if (later.length === 0) return;
    later.sort((a, b) => a.at - b.at);
    let current: Evaluation | undefined;
    let windowStart = 0;
    for (const { stored, at } of later) {
      if (!current || at - windowStart >= FOLLOWUP_WINDOW_MS) {
        windowStart = at;
        current = {
          ID: this.input.newId(),
          Namespace: this.job.Namespace,
          Priority: this.input.evaluation.Priority,
          Type: this.job.Type,
          TriggeredBy: 'alloc-failure',
          JobID: this.job.ID,
          JobModifyIndex: this.job.ModifyIndex,
          Status: 'pending',
          StatusDescription: FOLLOWUP_DESCRIPTION,
          WaitUntil: new Date(at).toISOString(),
          CreateIndex: 0,
          ModifyIndex: 0,
          CreateTime: 0,
          ModifyTime: 0,
        };
        this.result.followupEvals.push(current);
      }
      this.result.followupStamps.push({ stored, evalId: current.ID });
    }
  }

  private computeStop(
    group: TaskGroup,
    names: NameIndex,
    untainted: StoredAlloc[],
    migrate: StoredAlloc[],
    lost: StoredAlloc[],
    canaries: StoredAlloc[],
    isCanarying: boolean,
    desired: DesiredUpdates,
  ): Set<string> {
    const stopped = new Set<string>();
    const stop = (stored: StoredAlloc, description: string, isLost = false) => {
      stopped.add(stored.alloc.ID);
      this.markStop(stored, description, isLost);
      desired.Stop++;
    };
    for (const stored of lost) stop(stored, STOP_LOST, true);

    const canaryIds = new Set(canaries.map((stored) => stored.alloc.ID));
    let candidates = isCanarying ? untainted.filter((stored) => !canaryIds.has(stored.alloc.ID)) : [...untainted];
    let remove = candidates.filter((stored) => stored.alloc.ClientStatus !== 'unknown').length + migrate.length - group.Count;
    if (remove <= 0) return stopped;
    candidates = candidates.filter((stored) => !isTerminal(stored.alloc));

    // Promoted canaries take over the names they borrowed.
    if (!isCanarying && canaries.length > 0) {
      const canaryNames = new Set(canaries.map((stored) => stored.alloc.Name));
      for (const stored of candidates) {
        if (remove === 0) return stopped;
        if (canaryIds.has(stored.alloc.ID) || !canaryNames.has(stored.alloc.Name)) continue;
        stop(stored, STOP_NOT_NEEDED);
        remove--;
      }
      candidates = candidates.filter((stored) => !stopped.has(stored.alloc.ID));
    }
    // Then migrating allocations, highest names first.
    for (const stored of [...migrate].sort(byName).reverse()) {
      if (remove === 0) return stopped;
      stop(stored, STOP_NOT_NEEDED);
      names.unset(stored.alloc.Name);
      migrate.splice(migrate.indexOf(stored), 1);
      remove--;
    }
    // Then the highest indexes; duplicates of a name last.
    const highest = names.highest(remove);
    for (const stored of candidates) {
      if (remove === 0) return stopped;
      if (!highest.has(stored.alloc.Name)) continue;
      highest.delete(stored.alloc.Name);
      stop(stored, STOP_NOT_NEEDED);
      remove--;
    }
    for (const stored of candidates) {
      if (remove === 0) return stopped;
      if (stopped.has(stored.alloc.ID)) continue;
      stop(stored, STOP_NOT_NEEDED);
      remove--;
    }
    return stopped;
  }

  private updateKind(stored: StoredAlloc, group: TaskGroup): 'ignore' | 'inPlace' | 'destructive' {
    if (stored.jobModifyIndex === this.job.JobModifyIndex) return 'ignore';
    const oldJob = this.input.versions[stored.jobVersion];
    const oldGroup = oldJob?.TaskGroups.find((candidate) => candidate.Name === group.Name);
    if (!oldGroup || tasksUpdated(oldGroup, group, oldJob.Meta, this.job.Meta)) return 'destructive';
    if (isTerminal(stored.alloc)) return 'ignore';
    if (nodeState(this.input.nodes, stored.alloc.NodeID) !== 'ok') return 'destructive';
    return 'inPlace';
  }

  /** How many non-canary allocations may be replaced now (Nomad's computeUnderProvisionedBy). */
  private budget(group: TaskGroup, untainted: StoredAlloc[], destructive: StoredAlloc[], migrate: StoredAlloc[], isCanarying: boolean): number {
    if (isEmptyStrategy(group.Update) || destructive.length + migrate.length === 0) return group.Count;
    if (!this.deployment) return group.Update!.MaxParallel;
    if (this.paused || this.failed || isCanarying) return 0;
    let budget = group.Update!.MaxParallel;
    for (const stored of untainted) {
      if (stored.alloc.DeploymentID !== this.deployment.ID) continue;
      const healthy = stored.alloc.DeploymentStatus?.Healthy;
      if (healthy === false) return 0;
      if (healthy !== true) budget--;
    }
    return Math.max(0, budget);
  }

  private computePlacements(
    group: TaskGroup,
    names: NameIndex,
    untainted: StoredAlloc[],
    migrate: StoredAlloc[],
    reschedule: StoredAlloc[],
    lost: StoredAlloc[],
  ): Placement[] {
    const place: Placement[] = [];
    for (const stored of reschedule) {
      const stop: Stop = { stored, description: STOP_RESCHEDULED, lost: false };
      place.push({ group, name: stored.alloc.Name, previous: stored, stop, reschedule: true, canary: isCanary(stored) });
    }
    let existing = untainted.length + migrate.length + reschedule.length;
    // By allocation: a job of thousands on nodes that went down must not search the stops once per loss.
    const stops = new Map<StoredAlloc, Stop>();
    if (lost.length > 0) for (const stop of this.result.stop) if (!stops.has(stop.stored)) stops.set(stop.stored, stop);
    for (const stored of lost) {
      if (existing >= group.Count) break;
      existing++;
      const stop = stops.get(stored);
      place.push({ group, name: stored.alloc.Name, previous: stored, stop, reschedule: false, canary: isCanary(stored) });
    }
    if (existing < group.Count) {
      for (const name of names.next(group.Count - existing)) place.push({ group, name, reschedule: false, canary: false });
    }
    return place;
  }

  private computeReplacements(
    placeReady: boolean,
    desired: DesiredUpdates,
    place: Placement[],
    rescheduleNow: StoredAlloc[],
    lost: StoredAlloc[],
    budget: number,
  ): number {
    if (placeReady) {
      desired.Place += place.length;
      desired.Stop += rescheduleNow.length;
      this.result.place.push(...place);
      return budget - Math.min(place.length, budget);
    }
    // Even a paused, failed or canarying deployment replaces what was lost or failed.
    if (lost.length > 0) {
      const lostSet = new Set(lost);
      const lostPlacements = place.filter((placement) => placement.previous && lostSet.has(placement.previous));
      desired.Place += lostPlacements.length;
      this.result.place.push(...lostPlacements);
    }
    for (const placement of place) {
      if (!placement.reschedule) continue;
      const partOfFailed = this.failed && placement.previous?.alloc.DeploymentID === this.deployment?.ID;
      if (partOfFailed) continue;
      this.result.place.push(placement);
      desired.Place++;
      desired.Stop++;
    }
    return budget;
  }

  private createDeployment(group: TaskGroup, existing: boolean, dstate: DeploymentState, all: StoredAlloc[], updatingSpec: boolean): void {
    if (existing || isEmptyStrategy(group.Update) || dstate.DesiredTotal === 0) return;
    const hadRunning = all.some((stored) => stored.jobVersion === this.job.Version && stored.jobCreateIndex === this.job.CreateIndex);
    if (hadRunning && !updatingSpec) return;
    if (!this.deployment) {
      this.deployment = newDeployment(this.job, this.input.evaluation.Priority, this.input.newId());
      this.result.createdDeployment = true;
    }
    this.deployment.TaskGroups[group.Name] = dstate;
  }
}

/** Reconciles a job's allocations; a missing or stopped job stops everything it still runs. */
export function reconcile(input: ReconcileInput): Reconciliation {
  const { job, allocs, nodes } = input;
  if (!job || job.Stop) {
    const stopping = emptyReconciliation();
    const current = input.deployment;
    if (job && current && isActiveDeployment(current.Status)) {
      stopping.deploymentUpdates.push({ deploymentId: current.ID, status: 'cancelled', description: DEPLOYMENT_DESCRIPTIONS.stoppedJob });
    }
    for (const stored of allocs) {
      if (!stored.live) continue;
      stopping.stop.push(unneededStop(stored, nodes));
      (stopping.desired[stored.alloc.TaskGroup] ??= emptyDesired()).Stop++;
    }
    return stopping;
  }
  const reconciler = new Reconciler(job, input);
  // Allocations of an earlier registration of the same ID only need stopping.
  const current: StoredAlloc[] = [];
  for (const stored of allocs) {
    if (stored.jobCreateIndex === job.CreateIndex) current.push(stored);
    else if (stored.live) reconciler.result.stop.push(unneededStop(stored, nodes));
  }
  reconciler.run(current);
  return reconciler.result;
}
