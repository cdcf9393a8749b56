/** Nomad's Node as clients register it and the scheduler reads it. */
export type NodeStatus = 'initializing' | 'ready' | 'down' | 'disconnected';

export interface DriverInfo {
  Attributes: Record<string, string> | null;
  Detected: boolean;
  Healthy: boolean;
  HealthDescription: string;
  UpdateTime: string;
}

export interface NodeResources {
  Cpu: { CpuShares: number; TotalCpuCores?: number; ReservableCpuCores?: number[] | null };
  Memory: { MemoryMB: number };
  Disk: { DiskMB: number };
  Networks: unknown[] | null;
  Devices?: unknown[] | null;
  NodeNetworks?: unknown[] | null;
  MinDynamicPort: number;
  MaxDynamicPort: number;
}

export interface NodeReservedResources {
  Cpu: { CpuShares: number; ReservedCpuCores?: number[] | null };
  Memory: { MemoryMB: number };
  Disk: { DiskMB: number };
  Networks: { ReservedHostPorts: string };
}

export interface Node {
  ID: string;
  SecretID?: string;
  Datacenter: string;
  Name: string;
  HTTPAddr: string;
  TLSEnabled: boolean;
  Attributes: Record<string, string>;
  NodeResources: NodeResources;
  ReservedResources: NodeReservedResources;
  Links: Record<string, string> | null;
  Meta: Record<string, string>;
  NodeClass: string;
  NodePool: string;
  ComputedClass: string;
  DrainStrategy: unknown;
  SchedulingEligibility: 'eligible' | 'ineligible';
  Status: NodeStatus;
  StatusDescription: string;
  StatusUpdatedAt: number;
  Events: unknown[] | null;
  Drivers: Record<string, DriverInfo>;
  HostVolumes: Record<string, unknown> | null;
  HostNetworks: Record<string, unknown> | null;
  CSIControllerPlugins: unknown;
  CSINodePlugins: unknown;
  LastDrain: unknown;
  NodeMaxAllocs?: number;
  CreateIndex: number;
  ModifyIndex: number;
  [key: string]: unknown;
}

/** Capacity the scheduler may hand out on a node: its resources minus what is reserved. */
export interface NodeCapacity {
  CpuShares: number;
  MemoryMB: number;
  DiskMB: number;
}

export function nodeCapacity(node: Pick<Node, 'NodeResources' | 'ReservedResources'>): NodeCapacity {
  return {
    CpuShares: node.NodeResources.Cpu.CpuShares - (node.ReservedResources?.Cpu?.CpuShares ?? 0),
    MemoryMB: node.NodeResources.Memory.MemoryMB - (node.ReservedResources?.Memory?.MemoryMB ?? 0),
    DiskMB: node.NodeResources.Disk.DiskMB - (node.ReservedResources?.Disk?.DiskMB ?? 0),
  };
}
