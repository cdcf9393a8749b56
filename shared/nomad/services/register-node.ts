import { nextIndex } from '../../storage/index-clock';
import { badRequest } from '../errors';
import { storableProblem } from '../structs/validate-ids';
import { valueTooDeep } from '../../util/json-depth';
import { computedClass } from '../scheduler/computed-class';
import { readNode, upsertNode } from '../store/nodes';
import type { Evaluation } from '../structs/evaluation';
import type { Node } from '../structs/node';
import { unblockEvals } from '../worker/unblock';
import { currentHeartbeatTtlMs } from './heartbeat-ttl';
import { createJobEvals, jobsForNode } from './node-evals';

/**
 * Node registration, our HTTP form of Nomad's Node.Register RPC (real clients speak RPC):
 * `PUT /v1/node/register` with `{"Node": …}`. Re-registering an ID updates the node and keeps
 * the capacity its allocations hold, and what operators set on it (eligibility, drain). A new
 * node, or one whose status or class changed, gets `node-update` evaluations for the system
 * jobs that should run on it and the jobs that have allocations there; a ready node may also be
 * the capacity blocked jobs wait for.
 */
export interface RegisterNodeResult {
  node: Node;
  /** The `node-update` evaluations the registration created. */
  evals: Evaluation[];
  /** How long the client may go without a heartbeat. */
  heartbeatTtlMs: number;
  index: number;
}

type Loose = Record<string, any>;

function canonicalNode(raw: Loose, index: number, now: number): Node {
  const resources = raw.NodeResources ?? {};
  const reserved = raw.ReservedResources ?? {};
  return {
    ...raw,
    ID: raw.ID,
    Datacenter: raw.Datacenter,
    Name: raw.Name,
    HTTPAddr: raw.HTTPAddr ?? '',
    TLSEnabled: raw.TLSEnabled ?? false,
    Attributes: raw.Attributes ?? {},
    NodeResources: {
      Cpu: { CpuShares: 0, ...(resources.Cpu ?? {}) },
      Memory: { MemoryMB: 0, ...(resources.Memory ?? {}) },
      Disk: { DiskMB: 0, ...(resources.Disk ?? {}) },
      Networks: resources.Networks ?? null,
      Devices: resources.Devices ?? null,
      NodeNetworks: resources.NodeNetworks ?? null,
      MinDynamicPort: resources.MinDynamicPort ?? 20000,
      MaxDynamicPort: resources.MaxDynamicPort ?? 32000,
    },
    ReservedResources: {
      Cpu: { CpuShares: 0, ...(reserved.Cpu ?? {}) },
      Memory: { MemoryMB: 0, ...(reserved.Memory ?? {}) },
      Disk: { DiskMB: 0, ...(reserved.Disk ?? {}) },
      Networks: { ReservedHostPorts: '', ...(reserved.Networks ?? {}) },
    },
    Links: raw.Links ?? null,
    Meta: raw.Meta ?? {},
    NodeClass: raw.NodeClass ?? '',
    NodePool: raw.NodePool || 'default',
    ComputedClass: raw.ComputedClass ?? '',
    DrainStrategy: raw.DrainStrategy ?? null,
    SchedulingEligibility: raw.SchedulingEligibility === 'ineligible' ? 'ineligible' : 'eligible',
    // Our clients register when they are ready to run work; Nomad's do so in two steps.
    Status: !raw.Status || raw.Status === 'initializing' ? 'ready' : raw.Status,
    StatusDescription: raw.StatusDescription ?? '',
    StatusUpdatedAt: Math.floor(now / 1000),
    Events: raw.Events ?? null,
    Drivers: raw.Drivers ?? {},
    HostVolumes: raw.HostVolumes ?? null,
    HostNetworks: raw.HostNetworks ?? null,
    CSIControllerPlugins: raw.CSIControllerPlugins ?? null,
    CSINodePlugins: raw.CSINodePlugins ?? null,
    LastDrain: raw.LastDrain ?? null,
    CreateIndex: index,
    ModifyIndex: index,
  };
}

/** Largest node as JSON, and deepest nesting: its fields are stored as they come, in one DynamoDB item (400 KB, 32 levels). */
const MAX_NODE_BYTES = 300 * 1024;
const MAX_NODE_DEPTH = 30;

/** Meta and Attributes are Go map[string]string (the decoder's text otherwise); the rest must fit one item. */
function storedNodeProblem(raw: Loose): string | undefined {
  for (const field of ['Attributes', 'Meta']) {
    const value = raw[field];
    if (value === undefined || value === null) continue;
    const bad = typeof value !== 'object' || Array.isArray(value) ? value : Object.values(value).find((entry) => typeof entry !== 'string' && entry !== null);
    if (bad !== undefined) {
      const kind = Array.isArray(bad) ? 'array' : bad === null ? 'null' : typeof bad;
      return `json: cannot unmarshal ${kind} into Go struct field Node.Node.${field} of type ${bad === value ? 'map[string]string' : 'string'}`;
    }
  }
  if (valueTooDeep(raw, MAX_NODE_DEPTH)) return `node nests deeper than ${MAX_NODE_DEPTH} levels`;
  const bytes = Buffer.byteLength(JSON.stringify(raw));
  return bytes > MAX_NODE_BYTES ? `node is ${bytes} bytes as JSON; at most ${MAX_NODE_BYTES} are allowed` : undefined;
}

export async function registerNode(raw: Loose): Promise<RegisterNodeResult> {
  if (typeof raw.ID !== 'string' || !raw.ID) throw badRequest('missing node ID for client registration');
  if (typeof raw.Datacenter !== 'string' || !raw.Datacenter) throw badRequest('missing datacenter for client registration');
  if (typeof raw.Name !== 'string' || !raw.Name) throw badRequest('missing node name for client registration');
  // The ID is part of keys and of the node-update evaluations queued for it.
  const problem = storableProblem('Node ID', raw.ID) ?? storableProblem('Node name', raw.Name) ?? storedNodeProblem(raw);
  if (problem) throw badRequest(problem);
  const index = nextIndex();
  const now = Date.now();
  const [previous, ttlMs] = await Promise.all([readNode(raw.ID), currentHeartbeatTtlMs(now)]);
  const node = canonicalNode(raw, index, now);
  if (previous) {
    node.SchedulingEligibility = previous.node.SchedulingEligibility;
    node.DrainStrategy = previous.node.DrainStrategy ?? null;
    node.LastDrain = previous.node.LastDrain ?? null;
    node.Events = previous.node.Events ?? null;
  } else {
    node.Events = [{ Message: 'Node registered', Subsystem: 'Cluster', Details: null, Timestamp: new Date(now).toISOString(), CreateIndex: index }];
  }
  node.ComputedClass = computedClass(node);
  // Every field of `node` is written as it is (only CreateIndex may stay older), so it needs no read back.
  await upsertNode(node, now + ttlMs, previous?.used);
  const changed = !previous || previous.node.Status !== node.Status || previous.node.ComputedClass !== node.ComputedClass;
  const evals = changed ? await createJobEvals(await jobsForNode(node, { withSystemJobs: node.Status === 'ready' }), 'node-update', node) : [];
  if (node.Status === 'ready') await unblockEvals({ nodes: [node] });
  return { node, evals, heartbeatTtlMs: ttlMs, index };
}
