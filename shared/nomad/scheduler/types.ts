import type { Allocation } from '../structs/allocation';
import type { AllocMetric, Evaluation } from '../structs/evaluation';
import type { Job } from '../structs/job';
import type { Deployment } from '../structs/deployment';
import type { AllocClaim, StoredAlloc, StoredNode } from '../structs/cluster-state';
import type { DeploymentStatusUpdate } from './deployment-state';
import type { Algorithm } from './rank';

/**
 * What the scheduler sees: plain data read by the worker (or built by a test, or by the plan
 * endpoint's dry run). The scheduler never does I/O.
 */
export interface Snapshot {
  /** The job as registered now; undefined when it was purged. */
  job: Job | undefined;
  /** Every allocation of the job ID, across registrations. */
  allocs: StoredAlloc[];
  /** Candidate nodes with the capacity already claimed on them. */
  nodes: StoredNode[];
  /** The job versions the live allocations run, by version number (to tell in-place from destructive updates). */
  versions: Record<number, Job>;
  /** The job's latest deployment, if any. */
  deployment?: Deployment;
  /** Wall clock of the snapshot, unix ms. */
  now: number;
}

export interface PlannedStop {
  allocId: string;
  nodeId: string;
  desiredDescription: string;
  /** Set when the allocation is lost with its node rather than stopped. */
  clientStatus?: 'lost';
  /** The capacity to give back (only for allocations still Live). */
  claim: AllocClaim;
  wasLive: boolean;
  /** Its client status before the stop, so the job summary can move the right bucket. */
  previousClientStatus: Allocation['ClientStatus'];
  taskGroup: string;
  /**
   * The placement in this plan that replaces it: the two commit together, and the new
   * allocation's ID becomes this one's NextAllocation.
   */
  replacedBy?: string;
}

/** Allocations to move to the current job version without replacing them. */
export interface PlannedInPlaceUpdate {
  allocId: string;
  nodeId: string;
  jobVersion: number;
  jobModifyIndex: number;
  /** The deployment the allocation now belongs to ('' for none); a change resets its health. */
  deploymentId: string;
  taskGroup: string;
  /** Whether the allocation joins a deployment it was not part of (counts as placed there). */
  joinsDeployment: boolean;
}

/** Attribute changes that are not job updates: the follow-up evaluation of a delayed reschedule. */
export interface PlannedAllocUpdate {
  allocId: string;
  followupEvalId: string;
}

export interface Plan {
  evalId: string;
  placements: StoredAlloc[];
  stops: PlannedStop[];
  inPlaceUpdates: PlannedInPlaceUpdate[];
  allocUpdates: PlannedAllocUpdate[];
  /** A deployment this plan creates. */
  deployment?: Deployment;
  /** Status changes of existing deployments (cancelled, successful). */
  deploymentUpdates: DeploymentStatusUpdate[];
  /** Evaluations the plan creates: delayed reschedules and rolling-update follow-ups. */
  followupEvals: Evaluation[];
}

export interface DesiredUpdates {
  Ignore: number;
  Place: number;
  Migrate: number;
  Stop: number;
  InPlaceUpdate: number;
  DestructiveUpdate: number;
  Canary: number;
  Preemptions: number;
}

export interface SchedulerResult {
  plan: Plan;
  /** Groups with allocations that found no node, with why. */
  failedTGAllocs: Record<string, AllocMetric>;
  /** Per group: allocations still wanted but not placed by this plan. */
  queuedAllocations: Record<string, number>;
  desiredTGUpdates: Record<string, DesiredUpdates>;
  /** Per computed node class: whether the job could run there (for blocked evaluations). */
  classEligibility: Record<string, boolean>;
  /** Some constraint could not be decided per class (a `unique.*` target). */
  escapedComputedClass: boolean;
  /** Placements left for the next slice of a plan made in slices (also counted in queuedAllocations). */
  deferredPlacements: number;
}

export interface SchedulerOptions {
  /** Deterministic node order for tests and the plan dry run; defaults to Math.random. */
  random?: () => number;
  /** Fresh IDs for new allocations, deployments and evaluations. */
  newId: () => string;
  /** The cluster's scheduler algorithm (Nomad's SchedulerConfiguration); bin-packing by default. */
  algorithm?: Algorithm;
}

export type SchedulerInput = { snapshot: Snapshot; evaluation: Evaluation; options: SchedulerOptions };
