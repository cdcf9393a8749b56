import type { AllocMetric } from './evaluation';
import type { Job } from './job';

/** Nomad's Allocation. */
export type DesiredStatus = 'run' | 'stop' | 'evict';
export type ClientStatus = 'pending' | 'running' | 'complete' | 'failed' | 'lost' | 'unknown';

export interface TaskEvent {
  Type: string;
  Time: number;
  Message?: string;
  DisplayMessage?: string;
  Details?: Record<string, string>;
  [key: string]: unknown;
}

export interface TaskState {
  State: string;
  Failed: boolean;
  Restarts: number;
  LastRestart: string | null;
  StartedAt: string | null;
  FinishedAt: string | null;
  Events: TaskEvent[] | null;
  TaskHandle?: unknown;
}

export interface AllocDeploymentStatus {
  Healthy: boolean | null;
  Timestamp: string;
  Canary: boolean;
  ModifyIndex: number;
}

export interface RescheduleEvent {
  RescheduleTime: number;
  PrevAllocID: string;
  PrevNodeID: string;
  Delay: number;
}

export interface DesiredTransition {
  Migrate: boolean | null;
  Reschedule: boolean | null;
  ForceReschedule: boolean | null;
  NoShutdownDelay: boolean | null;
}

export interface AllocatedTaskResources {
  Cpu: { CpuShares: number; ReservedCores: number[] | null };
  Memory: { MemoryMB: number; MemoryMaxMB: number };
  Networks: unknown[] | null;
  Devices: unknown[] | null;
}

export interface AllocatedResources {
  Tasks: Record<string, AllocatedTaskResources>;
  TaskLifecycles: Record<string, unknown> | null;
  Shared: { DiskMB: number; Networks: unknown[] | null; Ports: unknown[] | null };
}

export interface Allocation {
  ID: string;
  Namespace: string;
  EvalID: string;
  Name: string;
  NodeID: string;
  NodeName: string;
  JobID: string;
  Job?: Job;
  TaskGroup: string;
  AllocatedResources: AllocatedResources;
  Metrics: AllocMetric | null;
  DesiredStatus: DesiredStatus;
  DesiredDescription: string;
  DesiredTransition: DesiredTransition;
  ClientStatus: ClientStatus;
  ClientDescription: string;
  TaskStates: Record<string, TaskState> | null;
  AllocStates?: unknown[] | null;
  PreviousAllocation: string;
  NextAllocation: string;
  DeploymentID: string;
  DeploymentStatus: AllocDeploymentStatus | null;
  RescheduleTracker: { Events: RescheduleEvent[] | null } | null;
  NetworkStatus?: unknown;
  FollowupEvalID: string;
  PreemptedAllocations: string[] | null;
  PreemptedByAllocation: string;
  SignedIdentities?: unknown;
  CreateIndex: number;
  ModifyIndex: number;
  AllocModifyIndex: number;
  CreateTime: number;
  ModifyTime: number;
}

export function isClientTerminal(status: ClientStatus): boolean {
  return status === 'complete' || status === 'failed' || status === 'lost';
}

/** Terminal as Nomad's TerminalStatus: told to stop, or finished on the client. */
export function isTerminal(alloc: Pick<Allocation, 'DesiredStatus' | 'ClientStatus'>): boolean {
  return alloc.DesiredStatus === 'stop' || alloc.DesiredStatus === 'evict' || isClientTerminal(alloc.ClientStatus);
}
