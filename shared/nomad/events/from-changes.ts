import type { Allocation } from '../structs/allocation';
import type { Deployment } from '../structs/deployment';
import type { Evaluation } from '../structs/evaluation';
import type { Job } from '../structs/job';
import type { Node } from '../structs/node';
import type { VariableMetadata } from '../structs/variable';
import { nodeWire } from '../wire/node';
import { variableWire } from '../wire/variable';
import type { ObjectChange } from '../structs/object-change';

/**
 * Nomad's events (nomad/state/events.go) from the changes of stored objects. Nomad names an
 * event after the request that made the change; a stored change does not carry its request, so
 * the type is read from what changed, the way each request changes its object:
 * - Job: a new or changed spec is `JobRegistered`; stopping or purging is `JobDeregistered`
 *   (a purge with `Deleted: true`); status-only changes are left out, as their requests' events
 *   (plans, allocation updates) already tell them.
 * - Evaluation: `JobRegistered`/`JobDeregistered` for those a register or deregister creates,
 *   `EvaluationUpdated` for the rest.
 * - Allocation: placed or stopped by a plan, `PlanResult`; a desired transition set,
 *   `AllocationUpdateDesiredStatus`; reported by its client, `AllocationUpdated`.
 * - Deployment: created by a plan, `PlanResult`; promoted, `DeploymentPromotion`; otherwise
 *   `DeploymentStatusUpdate`.
 * - Node: `NodeRegistration`, `NodeDeregistration`, `NodeEligibility`, `NodeDrain`, or
 *   `NodeStreamEvent` for a status change; heartbeats alone are no event.
 * - Variable: `VariableUpdated`, its metadata only (with `Deleted` for a delete).
 * Pure.
 */
export interface NomadEvent {
  Topic: 'Job' | 'Evaluation' | 'Allocation' | 'Deployment' | 'Node' | 'Variable';
  Type: string;
  Key: string;
  Namespace: string;
  FilterKeys: string[] | null;
  Index: number;
  Payload: Record<string, unknown>;
}


const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** An event with its fields in Go's order. */
function event(Topic: NomadEvent['Topic'], Type: string, Key: string, Namespace: string, FilterKeys: string[] | null, Index: number, Payload: Record<string, unknown>): NomadEvent {
  return { Topic, Type, Key, Namespace, FilterKeys, Index, Payload };
}

/** The index of a deletion, which the deleted object does not carry: after its last change, at about when it happened. */
function deletionIndex(before: { ModifyIndex: number }, atMs: number): number {
  return Math.max(Number(before.ModifyIndex) + 1, atMs * 1000);
}

function jobEvent(before: Job | undefined, after: Job | undefined, atMs: number): NomadEvent | undefined {
  const job = after ?? before!;
  if (!after) return event('Job', 'JobDeregistered', job.ID, job.Namespace, null, deletionIndex(job, atMs), { Job: job, Deleted: true });
  let type: string | undefined;
  if (after.Stop && !before?.Stop) type = 'JobDeregistered';
  else if (!before || before.JobModifyIndex !== after.JobModifyIndex || before.Stop !== after.Stop) type = 'JobRegistered';
  if (!type) return undefined;
  return event('Job', type, after.ID, after.Namespace, null, Number(after.ModifyIndex), { Job: after });
}

const REGISTER_TRIGGERS: Record<string, string> = { 'job-register': 'JobRegistered', 'job-deregister': 'JobDeregistered' };

function evalEvent(before: Evaluation | undefined, after: Evaluation | undefined): NomadEvent | undefined {
  if (!after) return undefined;
  const type = (!before && REGISTER_TRIGGERS[after.TriggeredBy]) || 'EvaluationUpdated';
  return event('Evaluation', type, after.ID, after.Namespace, [after.JobID, after.DeploymentID ?? ''], Number(after.ModifyIndex), { Evaluation: after });
}

function allocEvent(before: Allocation | undefined, after: Allocation | undefined): NomadEvent | undefined {
  if (!after) return undefined;
  let type = 'AllocationUpdated';
  if (!before) type = 'PlanResult';
  else if (!same(before.DesiredTransition, after.DesiredTransition)) type = 'AllocationUpdateDesiredStatus';
  else if (before.DesiredStatus !== after.DesiredStatus && before.ClientStatus === after.ClientStatus) type = 'PlanResult';
  const { Job: _job, ...alloc } = after;
  const payload: Record<string, unknown> = { Allocation: { ...alloc, Job: null } };
  if (after.ClientStatus === 'complete' && after.ClientDescription === 'max_run_duration exceeded') {
    payload.Timeout = true;
    payload.TimeoutReason = after.ClientDescription;
  }
  return event('Allocation', type, after.ID, after.Namespace, [after.JobID, after.DeploymentID ?? ''], Number(after.ModifyIndex), payload);
}

function deploymentEvent(before: Deployment | undefined, after: Deployment | undefined): NomadEvent | undefined {
  if (!after) return undefined;
  const promoted = (deployment: Deployment | undefined) => Object.values(deployment?.TaskGroups ?? {}).some((group) => group.Promoted);
  const type = !before ? 'PlanResult' : promoted(after) && !promoted(before) ? 'DeploymentPromotion' : 'DeploymentStatusUpdate';
  return event('Deployment', type, after.ID, after.Namespace, [after.JobID], Number(after.ModifyIndex), { Deployment: after });
}

function nodeEvent(before: Node | undefined, after: Node | undefined, atMs: number): NomadEvent | undefined {
  const node = after ?? before!;
  if (!after) return event('Node', 'NodeDeregistration', node.ID, '', null, deletionIndex(node, atMs), { Node: nodeWire(node) });
  let type: string | undefined;
  if (!before) type = 'NodeRegistration';
  else if (!same(before.DrainStrategy, after.DrainStrategy)) type = 'NodeDrain';
  else if (before.SchedulingEligibility !== after.SchedulingEligibility) type = 'NodeEligibility';
  else if (before.Status !== after.Status) type = 'NodeStreamEvent';
  else if (before.ModifyIndex !== after.ModifyIndex) type = 'NodeRegistration';
  if (!type) return undefined;
  return event('Node', type, after.ID, '', null, Number(after.ModifyIndex), { Node: nodeWire(after) });
}

function variableEvent(before: VariableMetadata | undefined, after: VariableMetadata | undefined, atMs: number): NomadEvent {
  const meta = after ?? before!;
  const index = after ? Number(after.ModifyIndex) : deletionIndex(meta, atMs);
  return event('Variable', 'VariableUpdated', meta.Path, meta.Namespace, null, index, { Metadata: variableWire(meta), Deleted: !after });
}

export function eventFromChange(change: ObjectChange, atMs: number): NomadEvent | undefined {
  switch (change.kind) {
    case 'variable':
      return variableEvent(change.before, change.after, atMs);
    case 'job':
      return jobEvent(change.before, change.after, atMs);
    case 'eval':
      return evalEvent(change.before, change.after);
    case 'alloc':
      return allocEvent(change.before, change.after);
    case 'deployment':
      return deploymentEvent(change.before, change.after);
    case 'node':
      return nodeEvent(change.before, change.after, atMs);
  }
}

/** `topic` query values as Nomad parses them: `Topic` (every key) or `Topic:key`; none means everything. */
export function parseTopics(values: string[]): Map<string, string[]> | string {
  const topics = new Map<string, string[]>();
  if (values.length === 0) return new Map([['*', ['*']]]);
  for (const value of values) {
    const parts = value.split(':');
    if (parts.length > 2) return `Invalid key value pair for topic, topic: ${value}`;
    const [topic, key = '*'] = parts;
    topics.set(topic, [...(topics.get(topic) ?? []), key]);
  }
  return topics;
}

/** stream/subscription.go's filter: the namespaces allowed, then `*[*]`, or the topic's keys matched against Key and FilterKeys. */
export function eventMatches(event: NomadEvent, topics: Map<string, string[]>, namespaces: string[]): boolean {
  if (event.Namespace !== '' && !namespaces.includes(event.Namespace)) return false;
  const all = topics.get('*') ?? [];
  if (all.length === 1 && all[0] === '*') return true;
  const keys = [...all, ...(topics.get(event.Topic) ?? [])];
  if (keys.length === 1 && keys[0] === '*') return true;
  return keys.some((key) => event.Key === key || (event.FilterKeys ?? []).includes(key));
}

/** Events of one index make one frame, in index order: `{"Index":N,"Events":[…]}`. */
export function framesOf(events: NomadEvent[]): { Index: number; Events: NomadEvent[] }[] {
  const sorted = [...events].sort((a, b) => a.Index - b.Index);
  const frames: { Index: number; Events: NomadEvent[] }[] = [];
  for (const event of sorted) {
    const last = frames[frames.length - 1];
    if (last && last.Index === event.Index) last.Events.push(event);
    else frames.push({ Index: event.Index, Events: [event] });
  }
  return frames;
}
