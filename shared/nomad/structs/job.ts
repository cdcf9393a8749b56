/**
 * Nomad's Job as the HTTP API speaks it (structs.Job). Durations are integer nanoseconds, times
 * unix nanoseconds. Fields we do not interpret are kept as opaque values so a job round-trips.
 */
export type JobType = 'service' | 'batch' | 'system' | 'sysbatch';
export type JobStatus = 'pending' | 'running' | 'dead';

export interface Constraint {
  LTarget: string;
  RTarget: string;
  Operand: string;
}

export interface Affinity extends Constraint {
  Weight: number;
}

export interface SpreadTarget {
  Value: string;
  Percent: number;
}

export interface Spread {
  Attribute: string;
  Weight: number;
  SpreadTarget: SpreadTarget[] | null;
}

export interface UpdateStrategy {
  Stagger: number;
  MaxParallel: number;
  HealthCheck: string;
  MinHealthyTime: number;
  HealthyDeadline: number;
  ProgressDeadline: number;
  AutoRevert: boolean;
  AutoPromote: boolean;
  Canary: number;
}

export interface MigrateStrategy {
  MaxParallel: number;
  HealthCheck: string;
  MinHealthyTime: number;
  HealthyDeadline: number;
}

export interface RestartPolicy {
  Attempts: number;
  Interval: number;
  Delay: number;
  Mode: string;
  RenderTemplates?: boolean;
}

export interface ReschedulePolicy {
  Attempts: number;
  Interval: number;
  Delay: number;
  DelayFunction: string;
  MaxDelay: number;
  Unlimited: boolean;
}

export interface EphemeralDisk {
  Sticky: boolean;
  SizeMB: number;
  Migrate: boolean;
}

export interface PeriodicConfig {
  Enabled: boolean;
  Spec: string;
  Specs?: string[] | null;
  SpecType: string;
  ProhibitOverlap: boolean;
  TimeZone: string;
}

export interface ParameterizedJobConfig {
  Payload: string;
  MetaRequired: string[] | null;
  MetaOptional: string[] | null;
}

export interface Port {
  Label: string;
  Value: number;
  To: number;
  HostNetwork: string;
}

export interface NetworkResource {
  Mode: string;
  Device?: string;
  CIDR?: string;
  IP?: string;
  MBits?: number;
  DNS?: unknown;
  ReservedPorts: Port[] | null;
  DynamicPorts: Port[] | null;
  Hostname?: string;
}

export interface Resources {
  CPU: number;
  Cores: number;
  MemoryMB: number;
  MemoryMaxMB: number;
  DiskMB: number;
  IOPS?: number;
  Networks: NetworkResource[] | null;
  Devices: unknown[] | null;
  NUMA?: unknown;
  SecretsMB?: number;
}

export interface LogConfig {
  MaxFiles: number;
  MaxFileSizeMB: number;
  Disabled: boolean;
}

export interface TaskLifecycle {
  Hook: string;
  Sidecar: boolean;
}

export interface ServiceCheck {
  Name: string;
  Type: string;
  Command?: string;
  Args?: string[] | null;
  Path?: string;
  Protocol?: string;
  PortLabel?: string;
  Interval: number;
  Timeout: number;
  [key: string]: unknown;
}

export interface Service {
  Name: string;
  TaskName?: string;
  PortLabel: string;
  AddressMode: string;
  Address: string;
  Tags: string[] | null;
  CanaryTags: string[] | null;
  Checks: ServiceCheck[] | null;
  Provider: string;
  Meta?: Record<string, string> | null;
  [key: string]: unknown;
}

export interface Action {
  Name: string;
  Command: string;
  Args: string[] | null;
}

export interface Task {
  Name: string;
  Driver: string;
  User: string;
  Config: Record<string, unknown> | null;
  Env: Record<string, string> | null;
  Services: Service[] | null;
  Vault: unknown;
  Templates: unknown[] | null;
  Constraints: Constraint[] | null;
  Affinities: Affinity[] | null;
  Resources: Resources;
  RestartPolicy: RestartPolicy | null;
  DispatchPayload: { File: string } | null;
  Lifecycle: TaskLifecycle | null;
  Meta: Record<string, string> | null;
  KillTimeout: number;
  LogConfig: LogConfig;
  Artifacts: unknown[] | null;
  Leader: boolean;
  ShutdownDelay: number;
  VolumeMounts: unknown[] | null;
  ScalingPolicies: unknown[] | null;
  KillSignal: string;
  Kind: string;
  CSIPluginConfig: unknown;
  Identity: unknown;
  Identities: unknown[] | null;
  Actions: Action[] | null;
  [key: string]: unknown;
}

export interface ScalingPolicy {
  ID: string;
  Type: string;
  Target: Record<string, string> | null;
  Min: number;
  Max: number;
  Policy: Record<string, unknown> | null;
  Enabled: boolean;
  [key: string]: unknown;
}

export interface TaskGroup {
  Name: string;
  Count: number;
  Update: UpdateStrategy | null;
  Migrate: MigrateStrategy | null;
  Constraints: Constraint[] | null;
  Scaling: ScalingPolicy | null;
  RestartPolicy: RestartPolicy;
  Tasks: Task[];
  EphemeralDisk: EphemeralDisk;
  Meta: Record<string, string> | null;
  ReschedulePolicy: ReschedulePolicy | null;
  Affinities: Affinity[] | null;
  Spreads: Spread[] | null;
  Networks: NetworkResource[] | null;
  Consul: unknown;
  Services: Service[] | null;
  Volumes: Record<string, unknown> | null;
  ShutdownDelay: number | null;
  StopAfterClientDisconnect: number | null;
  MaxClientDisconnect: number | null;
  PreventRescheduleOnLost: boolean;
  Disconnect: unknown;
  [key: string]: unknown;
}

export interface VersionTag {
  Name: string;
  Description: string;
  TaggedTime: number;
}

export interface Job {
  Stop: boolean;
  Region: string;
  Namespace: string;
  ID: string;
  ParentID: string;
  Name: string;
  Type: JobType;
  Priority: number;
  AllAtOnce: boolean;
  Datacenters: string[];
  NodePool: string;
  Constraints: Constraint[] | null;
  Affinities: Affinity[] | null;
  Spreads: Spread[] | null;
  TaskGroups: TaskGroup[];
  Update: UpdateStrategy;
  Multiregion: unknown;
  Periodic: PeriodicConfig | null;
  ParameterizedJob: ParameterizedJobConfig | null;
  Dispatched: boolean;
  DispatchIdempotencyToken: string;
  Payload: string | null;
  Meta: Record<string, string> | null;
  ConsulToken: string;
  ConsulNamespace: string;
  VaultToken: string;
  VaultNamespace: string;
  NomadTokenID: string;
  Status: JobStatus;
  StatusDescription: string;
  Stable: boolean;
  Version: number;
  SubmitTime: number;
  CreateIndex: number;
  ModifyIndex: number;
  JobModifyIndex: number;
  UI: unknown;
  VersionTag: VersionTag | null;
  [key: string]: unknown;
}

export interface TaskGroupSummary {
  Queued: number;
  Complete: number;
  Failed: number;
  Running: number;
  Starting: number;
  Lost: number;
  Unknown: number;
}

export interface JobChildrenSummary {
  Pending: number;
  Running: number;
  Dead: number;
}

export interface JobSummary {
  JobID: string;
  Namespace: string;
  Summary: Record<string, TaskGroupSummary>;
  Children: JobChildrenSummary;
  CreateIndex: number;
  ModifyIndex: number;
}

/** Job fields that are state, not spec: a register that changes only these is not a new version. */
export const JOB_STATE_FIELDS = [
  'Status',
  'StatusDescription',
  'Stable',
  'Version',
  'SubmitTime',
  'CreateIndex',
  'ModifyIndex',
  'JobModifyIndex',
] as const;

export type JobState = Pick<Job, (typeof JOB_STATE_FIELDS)[number]>;

/** Periodic and parameterized parents are templates: they get no evaluations and are never placed. */
export function isParentJob(job: Pick<Job, 'Periodic' | 'ParameterizedJob' | 'Dispatched'>): boolean {
  return job.Periodic !== null || (job.ParameterizedJob !== null && !job.Dispatched);
}
