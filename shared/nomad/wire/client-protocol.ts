import type { AllocDeploymentStatus, ClientStatus, TaskState } from '../structs/allocation';

/**
 * What a client agent tells the server about its allocations, our HTTP form of Nomad's
 * Node.UpdateAlloc: `PUT /v1/node/:node_id/allocations` with `{"Allocs": [ClientAllocUpdate, …]}`.
 * The agent sends it (agent/nomad/), the server applies it (services/update-allocs.ts).
 */
export interface ClientAllocUpdate {
  ID: string;
  ClientStatus: ClientStatus;
  ClientDescription?: string;
  TaskStates?: Record<string, TaskState> | null;
  DeploymentStatus?: Partial<AllocDeploymentStatus> | null;
}

/**
 * The server's answers to the agent's `PUT /v1/node/register` and `PUT /v1/node/:id/heartbeat`
 * (our HTTP form of Node.Register and Node.UpdateStatus; wire/node-update-response.ts renders them).
 */
export interface NodeRegisterResponse {
  Index: number;
  HeartbeatTTL: number;
  NodeID: string;
  EvalIDs: string[];
  EvalCreateIndex: number;
  NodeModifyIndex: number;
}

export interface NodeHeartbeatResponse {
  HeartbeatTTL: number;
  Index: number;
  EvalIDs: string[];
}

/** A task's log stream. */
export type LogType = 'stdout' | 'stderr';

/**
 * A chunk of a task's log the agent ships (store/log-uploads.ts): a presigned PUT for it, then
 * its commit to the index.
 */
export interface ChunkRef {
  Task: string;
  Type: LogType;
  Offset: number;
  Size: number;
}

/** `POST /v1/client/agent/logs/uploads`: a presigned PUT URL per chunk asked for. */
export interface LogUploadsResponse {
  Uploads: (ChunkRef & { URL: string })[];
}

/** `GET /v1/client/agent/channel` without an upgrade: where the agent opens its action channel. */
export interface AgentChannelLocation {
  URL: string;
}

/** Nomad's ServiceRegistration, as the agent writes it and the server stores and serves it (store/service-registrations.ts). */
export interface ServiceRegistration {
  ID: string;
  ServiceName: string;
  Namespace: string;
  NodeID: string;
  Datacenter: string;
  JobID: string;
  AllocID: string;
  Tags: string[];
  Address: string;
  Port: number;
  CreateIndex: number;
  ModifyIndex: number;
}
