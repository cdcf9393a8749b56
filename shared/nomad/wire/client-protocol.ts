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
