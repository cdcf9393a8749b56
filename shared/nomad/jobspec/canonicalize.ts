import { canonicalArtifact, canonicalTemplate } from './task-files';
import type {
  Job,
  JobType,
  MigrateStrategy,
  ReschedulePolicy,
  RestartPolicy,
  Task,
  TaskGroup,
  UpdateStrategy,
} from '../structs/job';
import {
  DEFAULT_BATCH_RESCHEDULE,
  DEFAULT_BATCH_RESTART,
  DEFAULT_EPHEMERAL_DISK,
  DEFAULT_KILL_TIMEOUT,
  DEFAULT_LOG_CONFIG,
  DEFAULT_MIGRATE,
  DEFAULT_NAMESPACE,
  DEFAULT_NODE_POOL,
  DEFAULT_PRIORITY,
  DEFAULT_REGION,
  DEFAULT_RESOURCES,
  DEFAULT_SERVICE_RESCHEDULE,
  DEFAULT_SERVICE_RESTART,
  DEFAULT_UPDATE,
} from './defaults';

/**
 * Fills a submitted job with Nomad's defaults, the way `api.Job.Canonicalize` followed by the
 * conversion to `structs.Job` does: absent fields get defaults, empty maps and lists become null,
 * the job-level update/migrate/reschedule blocks are merged into each group. Pure: the input is
 * not modified.
 */
type Loose = Record<string, any>;

function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Nomad drops empty maps and lists to nil when it stores a job. */
function nullIfEmpty<T>(value: T): T | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.length === 0 ? null : value;
  if (isObject(value)) return Object.keys(value).length === 0 ? null : value;
  return value;
}

/** Defaults under explicitly given fields; `null`/`undefined` count as not given. */
function merge<T extends object>(defaults: T, ...overrides: (Loose | null | undefined)[]): T {
  const result: Loose = { ...defaults };
  for (const override of overrides) {
    if (!isObject(override)) continue;
    for (const [key, value] of Object.entries(override)) {
      if (value !== undefined && value !== null) result[key] = value;
    }
  }
  return result as T;
}

function isServiceLike(type: string): boolean {
  return type === 'service' || type === 'system';
}

function isBatchLike(type: string): boolean {
  return type === 'batch' || type === 'sysbatch';
}

function canonicalUpdate(type: string, jobUpdate: Loose | null, groupUpdate: Loose | null): UpdateStrategy | null {
  if (!isServiceLike(type) && !groupUpdate) return null;
  if (!jobUpdate && !groupUpdate) return type === 'service' ? { ...DEFAULT_UPDATE } : null;
  return merge(DEFAULT_UPDATE, jobUpdate, groupUpdate);
}

function canonicalReschedule(type: string, jobPolicy: Loose | null, groupPolicy: Loose | null): ReschedulePolicy | null {
  if (type === 'service') return merge(DEFAULT_SERVICE_RESCHEDULE, jobPolicy, groupPolicy);
  if (type === 'batch') return merge(DEFAULT_BATCH_RESCHEDULE, jobPolicy, groupPolicy);
  return jobPolicy || groupPolicy ? merge(DEFAULT_SERVICE_RESCHEDULE, jobPolicy, groupPolicy) : null;
}

function canonicalRestart(type: string, groupPolicy: Loose | null): RestartPolicy {
  return merge(isBatchLike(type) ? DEFAULT_BATCH_RESTART : DEFAULT_SERVICE_RESTART, groupPolicy);
}

function canonicalTask(raw: Loose, group: TaskGroup): Task {
  const resources = merge(DEFAULT_RESOURCES, raw.Resources);
  if (isObject(raw.Resources) && raw.Resources.Cores && !raw.Resources.CPU) resources.CPU = 0;
  resources.Networks = nullIfEmpty(resources.Networks);
  resources.Devices = nullIfEmpty(resources.Devices);
  const lifecycle = isObject(raw.Lifecycle) && raw.Lifecycle.Hook ? { Hook: raw.Lifecycle.Hook, Sidecar: !!raw.Lifecycle.Sidecar } : null;
  return {
    ...raw,
    Name: raw.Name ?? '',
    Driver: raw.Driver ?? '',
    User: raw.User ?? '',
    Config: nullIfEmpty(raw.Config ?? null),
    Env: nullIfEmpty(raw.Env ?? null),
    Services: nullIfEmpty(raw.Services ?? null),
    Vault: raw.Vault ?? null,
    Templates: nullIfEmpty(Array.isArray(raw.Templates) ? raw.Templates.map(canonicalTemplate) : (raw.Templates ?? null)),
    Constraints: nullIfEmpty(raw.Constraints ?? null),
    Affinities: nullIfEmpty(raw.Affinities ?? null),
    Resources: resources,
    RestartPolicy: merge(group.RestartPolicy, raw.RestartPolicy),
    DispatchPayload: raw.DispatchPayload ?? null,
    Lifecycle: lifecycle,
    Meta: nullIfEmpty(raw.Meta ?? null),
    KillTimeout: raw.KillTimeout ?? DEFAULT_KILL_TIMEOUT,
    LogConfig: merge(DEFAULT_LOG_CONFIG, raw.LogConfig),
    Artifacts: nullIfEmpty(Array.isArray(raw.Artifacts) ? raw.Artifacts.map(canonicalArtifact) : (raw.Artifacts ?? null)),
    Leader: raw.Leader ?? false,
    ShutdownDelay: raw.ShutdownDelay ?? 0,
    VolumeMounts: nullIfEmpty(raw.VolumeMounts ?? null),
    ScalingPolicies: nullIfEmpty(raw.ScalingPolicies ?? null),
    KillSignal: raw.KillSignal ?? '',
    Kind: raw.Kind ?? '',
    CSIPluginConfig: raw.CSIPluginConfig ?? null,
    Identity: raw.Identity ?? null,
    Identities: nullIfEmpty(raw.Identities ?? null),
    Actions: nullIfEmpty(raw.Actions ?? null),
  };
}

function canonicalGroup(raw: Loose, job: Loose, type: string): TaskGroup {
  const scaling = isObject(raw.Scaling) ? raw.Scaling : null;
  const count = typeof raw.Count === 'number' ? raw.Count : typeof scaling?.Min === 'number' ? scaling.Min : 1;
  const group: TaskGroup = {
    ...raw,
    Name: raw.Name ?? '',
    Count: count,
    Update: canonicalUpdate(type, isObject(job.Update) ? job.Update : null, isObject(raw.Update) ? raw.Update : null),
    Migrate:
      type === 'service'
        ? (merge(DEFAULT_MIGRATE, job.Migrate, raw.Migrate) as MigrateStrategy)
        : isObject(raw.Migrate)
          ? (merge(DEFAULT_MIGRATE, raw.Migrate) as MigrateStrategy)
          : null,
    Constraints: nullIfEmpty(raw.Constraints ?? null),
    Scaling: scaling as TaskGroup['Scaling'],
    RestartPolicy: canonicalRestart(type, isObject(raw.RestartPolicy) ? raw.RestartPolicy : null),
    Tasks: [],
    EphemeralDisk: merge(DEFAULT_EPHEMERAL_DISK, raw.EphemeralDisk),
    Meta: nullIfEmpty(raw.Meta ?? null),
    ReschedulePolicy: canonicalReschedule(
      type,
      isObject(job.Reschedule) ? job.Reschedule : null,
      isObject(raw.ReschedulePolicy) ? raw.ReschedulePolicy : null,
    ),
    Affinities: nullIfEmpty(raw.Affinities ?? null),
    Spreads: nullIfEmpty(raw.Spreads ?? null),
    Networks: nullIfEmpty(raw.Networks ?? null),
    Consul: raw.Consul ?? null,
    Services: nullIfEmpty(raw.Services ?? null),
    Volumes: nullIfEmpty(raw.Volumes ?? null),
    ShutdownDelay: raw.ShutdownDelay ?? null,
    StopAfterClientDisconnect: raw.StopAfterClientDisconnect ?? null,
    MaxClientDisconnect: raw.MaxClientDisconnect ?? null,
    PreventRescheduleOnLost: raw.PreventRescheduleOnLost ?? false,
    Disconnect: raw.Disconnect ?? null,
  };
  const tasks = Array.isArray(raw.Tasks) ? raw.Tasks : [];
  group.Tasks = tasks.map((task: unknown) => canonicalTask(isObject(task) ? task : {}, group));
  return group;
}

export function canonicalizeJob(input: unknown): Job {
  const raw: Loose = isObject(input) ? structuredClone(input) : {};
  const type: string = raw.Type ?? 'service';
  const id: string = raw.ID ?? '';
  const jobUpdate = isObject(raw.Update) ? raw.Update : null;
  const groups = Array.isArray(raw.TaskGroups) ? raw.TaskGroups : [];
  const job: Job = {
    ...raw,
    Stop: raw.Stop ?? false,
    Region: raw.Region || DEFAULT_REGION,
    Namespace: raw.Namespace || DEFAULT_NAMESPACE,
    ID: id,
    ParentID: raw.ParentID ?? '',
    Name: raw.Name || id,
    Type: type as JobType,
    Priority: raw.Priority || DEFAULT_PRIORITY,
    AllAtOnce: raw.AllAtOnce ?? false,
    Datacenters: Array.isArray(raw.Datacenters) && raw.Datacenters.length > 0 ? raw.Datacenters : ['*'],
    NodePool: raw.NodePool || DEFAULT_NODE_POOL,
    Constraints: nullIfEmpty(raw.Constraints ?? null),
    Affinities: nullIfEmpty(raw.Affinities ?? null),
    Spreads: nullIfEmpty(raw.Spreads ?? null),
    TaskGroups: groups.map((group: unknown) => canonicalGroup(isObject(group) ? group : {}, raw, type)),
    // Only Stagger and MaxParallel survive at job level; the rest now lives in the groups.
    Update: {
      ...zeroUpdate(),
      ...(jobUpdate || type === 'service'
        ? {
            Stagger: jobUpdate?.Stagger ?? DEFAULT_UPDATE.Stagger,
            MaxParallel: jobUpdate?.MaxParallel ?? DEFAULT_UPDATE.MaxParallel,
          }
        : {}),
    },
    Multiregion: raw.Multiregion ?? null,
    Periodic: isObject(raw.Periodic)
      ? {
          Enabled: raw.Periodic.Enabled ?? true,
          Spec: raw.Periodic.Spec ?? '',
          Specs: nullIfEmpty(raw.Periodic.Specs ?? null),
          SpecType: raw.Periodic.SpecType || 'cron',
          ProhibitOverlap: raw.Periodic.ProhibitOverlap ?? false,
          TimeZone: raw.Periodic.TimeZone || 'UTC',
        }
      : null,
    ParameterizedJob: isObject(raw.ParameterizedJob)
      ? {
          Payload: raw.ParameterizedJob.Payload || 'optional',
          MetaRequired: nullIfEmpty(raw.ParameterizedJob.MetaRequired ?? null),
          MetaOptional: nullIfEmpty(raw.ParameterizedJob.MetaOptional ?? null),
        }
      : null,
    Dispatched: raw.Dispatched ?? false,
    DispatchIdempotencyToken: raw.DispatchIdempotencyToken ?? '',
    Payload: raw.Payload ?? null,
    Meta: nullIfEmpty(raw.Meta ?? null),
    ConsulToken: raw.ConsulToken ?? '',
    ConsulNamespace: raw.ConsulNamespace ?? '',
    VaultToken: raw.VaultToken ?? '',
    VaultNamespace: raw.VaultNamespace ?? '',
    NomadTokenID: raw.NomadTokenID ?? '',
    Status: raw.Status ?? 'pending',
    StatusDescription: raw.StatusDescription ?? '',
    Stable: raw.Stable ?? false,
    Version: raw.Version ?? 0,
    SubmitTime: raw.SubmitTime ?? 0,
    CreateIndex: raw.CreateIndex ?? 0,
    ModifyIndex: raw.ModifyIndex ?? 0,
    JobModifyIndex: raw.JobModifyIndex ?? 0,
    UI: raw.UI ?? null,
    VersionTag: raw.VersionTag ?? null,
  };
  // Job-level blocks that Nomad merges into the groups and does not store.
  delete job.Reschedule;
  delete job.Migrate;
  return job;
}

function zeroUpdate(): UpdateStrategy {
  return {
    Stagger: 0,
    MaxParallel: 0,
    HealthCheck: '',
    MinHealthyTime: 0,
    HealthyDeadline: 0,
    ProgressDeadline: 0,
    AutoRevert: false,
    AutoPromote: false,
    Canary: 0,
  };
}
