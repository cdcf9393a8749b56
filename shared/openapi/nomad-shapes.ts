import * as z from '../util/zod';

/**
 * The response shapes of Nomad's API as we answer them, after Nomad's own OpenAPI document
 * (its `api` package structs): the stubs and small answers field for field (no other field may
 * appear), the large objects (Job, Allocation, Node) with the fields a client reads and room for
 * the rest. Go's nil slices and maps are JSON `null`, hence the many `nullable()`s.
 */
const index = z.int().nonnegative();
const nanos = z.number().meta({ description: 'Unix time in nanoseconds (an int64, past JSON\'s safe integers)' });
const strings = z.array(z.string());
const stringMap = z.record(z.string(), z.string());

export const JobSummary = z
  .object({
    JobID: z.string(),
    Namespace: z.string(),
    Summary: z.record(z.string(), z.object({ Queued: z.int(), Complete: z.int(), Failed: z.int(), Running: z.int(), Starting: z.int(), Lost: z.int(), Unknown: z.int() })),
    Children: z.object({ Pending: z.int(), Running: z.int(), Dead: z.int() }).nullable(),
    CreateIndex: index,
    ModifyIndex: index,
  })
  .meta({ id: 'JobSummary' });

export const JobListStub = z
  .object({
    ID: z.string(),
    ParentID: z.string(),
    Name: z.string(),
    Namespace: z.string(),
    Datacenters: strings,
    NodePool: z.string(),
    Multiregion: z.looseObject({}).nullable(),
    Type: z.enum(['service', 'batch', 'system', 'sysbatch']),
    Priority: z.int(),
    Periodic: z.boolean(),
    ParameterizedJob: z.boolean(),
    Stop: z.boolean(),
    Status: z.enum(['pending', 'running', 'dead']),
    StatusDescription: z.string(),
    JobSummary,
    CreateIndex: index,
    ModifyIndex: index,
    JobModifyIndex: index,
    SubmitTime: nanos,
    Meta: stringMap.optional().meta({ description: 'Only with `meta=true`, and only when the job has meta' }),
  })
  .meta({ id: 'JobListStub' });

const Task = z.looseObject({ Name: z.string(), Driver: z.string(), Config: z.record(z.string(), z.unknown()).nullable() });
const TaskGroup = z.looseObject({ Name: z.string(), Count: z.int(), Tasks: z.array(Task) });

export const Job = z
  .looseObject({
    Region: z.string(),
    Namespace: z.string(),
    ID: z.string(),
    ParentID: z.string(),
    Name: z.string(),
    Type: z.enum(['service', 'batch', 'system', 'sysbatch']),
    Priority: z.int(),
    AllAtOnce: z.boolean(),
    Datacenters: strings,
    NodePool: z.string(),
    Constraints: z.array(z.looseObject({})).nullable(),
    TaskGroups: z.array(TaskGroup),
    Periodic: z.looseObject({}).nullable(),
    ParameterizedJob: z.looseObject({}).nullable(),
    Payload: z.string().nullable(),
    Meta: stringMap.nullable(),
    Stop: z.boolean(),
    Status: z.enum(['pending', 'running', 'dead']),
    StatusDescription: z.string(),
    Stable: z.boolean(),
    Version: z.int(),
    SubmitTime: nanos,
    CreateIndex: index,
    ModifyIndex: index,
    JobModifyIndex: index,
  })
  .meta({ id: 'Job' });

export const JobRegisterResponse = z
  .object({
    EvalID: z.string(),
    EvalCreateIndex: index,
    JobModifyIndex: index,
    Warnings: z.string(),
    Index: index,
    LastContact: z.int(),
    KnownLeader: z.boolean(),
    NextToken: z.string(),
  })
  .meta({ id: 'JobRegisterResponse' });

export const JobDeregisterResponse = z
  .object({
    EvalID: z.string(),
    EvalCreateIndex: index,
    JobModifyIndex: index,
    VolumeEvalID: z.string(),
    VolumeEvalIndex: index,
    Index: index,
    LastContact: z.int(),
    KnownLeader: z.boolean(),
    NextToken: z.string(),
  })
  .meta({ id: 'JobDeregisterResponse' });

export const Evaluation = z
  .looseObject({
    ID: z.string(),
    Namespace: z.string(),
    Priority: z.int(),
    Type: z.string(),
    TriggeredBy: z.string(),
    JobID: z.string(),
    Status: z.enum(['blocked', 'pending', 'complete', 'failed', 'canceled']),
    StatusDescription: z.string().optional(),
    NodeID: z.string().optional(),
    DeploymentID: z.string().optional(),
    BlockedEval: z.string().optional(),
    PreviousEval: z.string().optional(),
    NextEval: z.string().optional(),
    FailedTGAllocs: z.record(z.string(), z.looseObject({})).optional(),
    QueuedAllocations: z.record(z.string(), z.int()).optional(),
    CreateIndex: index,
    ModifyIndex: index,
    CreateTime: nanos,
    ModifyTime: nanos,
  })
  .meta({ id: 'Evaluation', description: 'Empty fields are left out, as Nomad tags them `omitempty`' });

export const JobPlanResponse = z
  .object({
    Index: index,
    JobModifyIndex: index,
    NextPeriodicLaunch: z.string(),
    Warnings: z.string(),
    Diff: z.looseObject({ Type: z.string(), ID: z.string() }).optional().meta({ description: 'Only with `Diff: true`' }),
    CreatedEvals: z.array(Evaluation).nullable(),
    FailedTGAllocs: z.record(z.string(), z.looseObject({})).nullable(),
    Annotations: z.object({
      DesiredTGUpdates: z.record(z.string(), z.record(z.string(), z.int())),
      PreemptedAllocs: z.array(z.looseObject({})).nullable(),
    }),
  })
  .meta({ id: 'JobPlanResponse' });

export const JobVersionsResponse = z
  .object({
    Versions: z.array(Job),
    Diffs: z.array(z.looseObject({})).nullable(),
    Index: index,
    KnownLeader: z.boolean(),
    LastContact: z.int(),
    NextToken: z.string(),
  })
  .meta({ id: 'JobVersionsResponse' });

const TaskState = z.looseObject({
  State: z.enum(['pending', 'running', 'dead']),
  Failed: z.boolean(),
  Restarts: z.int(),
  Events: z.array(z.looseObject({ Type: z.string(), Time: nanos })).nullable(),
});

export const AllocListStub = z
  .object({
    ID: z.string(),
    EvalID: z.string(),
    Name: z.string(),
    Namespace: z.string(),
    NodeID: z.string(),
    NodeName: z.string(),
    JobID: z.string(),
    JobType: z.string(),
    JobVersion: z.int(),
    TaskGroup: z.string(),
    AllocatedResources: z.looseObject({}).optional().meta({ description: 'Only with `resources=true`' }),
    DesiredStatus: z.enum(['run', 'stop', 'evict']),
    DesiredDescription: z.string(),
    ClientStatus: z.enum(['pending', 'running', 'complete', 'failed', 'lost', 'unknown']),
    ClientDescription: z.string(),
    DesiredTransition: z.object({ Migrate: z.boolean().nullable(), Reschedule: z.boolean().nullable(), ForceReschedule: z.boolean().nullable(), NoShutdownDelay: z.boolean().nullable() }),
    TaskStates: z.record(z.string(), TaskState).nullable(),
    DeploymentStatus: z.looseObject({ Healthy: z.boolean().nullable() }).nullable(),
    FollowupEvalID: z.string(),
    NextAllocation: z.string(),
    RescheduleTracker: z.looseObject({}).nullable(),
    PreemptedAllocations: strings.nullable(),
    PreemptedByAllocation: z.string(),
    CreateIndex: index,
    ModifyIndex: index,
    CreateTime: nanos,
    ModifyTime: nanos,
  })
  .meta({ id: 'AllocListStub' });

export const Allocation = z
  .looseObject({
    ID: z.string(),
    Namespace: z.string(),
    EvalID: z.string(),
    Name: z.string(),
    NodeID: z.string(),
    NodeName: z.string(),
    JobID: z.string(),
    Job: Job.nullable(),
    TaskGroup: z.string(),
    AllocatedResources: z.looseObject({}).nullable(),
    DesiredStatus: z.enum(['run', 'stop', 'evict']),
    DesiredDescription: z.string(),
    ClientStatus: z.enum(['pending', 'running', 'complete', 'failed', 'lost', 'unknown']),
    ClientDescription: z.string(),
    TaskStates: z.record(z.string(), TaskState).nullable(),
    DeploymentID: z.string(),
    CreateIndex: index,
    ModifyIndex: index,
    AllocModifyIndex: index,
    CreateTime: nanos,
    ModifyTime: nanos,
  })
  .meta({ id: 'Allocation' });

export const AllocStopResponse = z.object({ EvalID: z.string(), Index: index }).meta({ id: 'AllocStopResponse' });

const DeploymentState = z.object({
  AutoRevert: z.boolean(),
  AutoPromote: z.boolean(),
  ProgressDeadline: z.int().meta({ description: 'Nanoseconds' }),
  RequireProgressBy: z.string().nullable(),
  Promoted: z.boolean(),
  PlacedCanaries: strings.nullable(),
  DesiredCanaries: z.int(),
  DesiredTotal: z.int(),
  PlacedAllocs: z.int(),
  HealthyAllocs: z.int(),
  UnhealthyAllocs: z.int(),
});

export const Deployment = z
  .object({
    ID: z.string(),
    Namespace: z.string(),
    JobID: z.string(),
    JobVersion: z.int(),
    JobModifyIndex: index,
    JobSpecModifyIndex: index,
    JobCreateIndex: index,
    IsMultiregion: z.boolean(),
    TaskGroups: z.record(z.string(), DeploymentState),
    Status: z.enum(['running', 'paused', 'failed', 'successful', 'cancelled', 'pending', 'blocked', 'unblocking', 'initializing']),
    StatusDescription: z.string(),
    EvalPriority: z.int(),
    CreateIndex: index,
    ModifyIndex: index,
  })
  .meta({ id: 'Deployment' });

export const DeploymentUpdateResponse = z
  .object({
    EvalID: z.string(),
    EvalCreateIndex: index,
    DeploymentModifyIndex: index,
    RevertedJobVersion: z.int().nullable().optional(),
    Index: index,
    LastIndex: index.optional(),
    RequestTime: z.int().optional(),
  })
  .meta({ id: 'DeploymentUpdateResponse' });

export const JobDispatchResponse = z
  .object({ Index: index, JobCreateIndex: index, EvalCreateIndex: index, EvalID: z.string(), DispatchedJobID: z.string() })
  .meta({ id: 'JobDispatchResponse' });

export const JobScaleStatusResponse = z
  .object({
    JobCreateIndex: index,
    JobID: z.string(),
    Namespace: z.string(),
    JobModifyIndex: index,
    JobStopped: z.boolean(),
    TaskGroups: z.record(
      z.string(),
      z.object({ Desired: z.int(), Placed: z.int(), Running: z.int(), Healthy: z.int(), Unhealthy: z.int(), Events: z.array(z.looseObject({ Time: nanos, Message: z.string() })).nullable() }),
    ),
  })
  .meta({ id: 'JobScaleStatusResponse' });

const DriverInfo = z.looseObject({ Detected: z.boolean(), Healthy: z.boolean(), HealthDescription: z.string() });

export const NodeListStub = z
  .object({
    Address: z.string(),
    ID: z.string(),
    Attributes: stringMap.optional().meta({ description: 'Only `os.name`, with `os=true`' }),
    Datacenter: z.string(),
    Name: z.string(),
    NodeClass: z.string(),
    NodePool: z.string(),
    Version: z.string(),
    Drain: z.boolean(),
    SchedulingEligibility: z.enum(['eligible', 'ineligible']),
    Status: z.enum(['initializing', 'ready', 'down', 'disconnected']),
    StatusDescription: z.string(),
    Drivers: z.record(z.string(), DriverInfo).nullable(),
    HostVolumes: z.record(z.string(), z.looseObject({})).nullable(),
    LastDrain: z.looseObject({}).nullable(),
    CreateIndex: index,
    ModifyIndex: index,
    NodeResources: z.looseObject({}).optional().meta({ description: 'Only with `resources=true`' }),
    ReservedResources: z.looseObject({}).nullable().optional().meta({ description: 'Only with `resources=true`' }),
  })
  .meta({ id: 'NodeListStub' });

export const Node = z
  .looseObject({
    ID: z.string(),
    Name: z.string(),
    Datacenter: z.string(),
    NodeClass: z.string(),
    NodePool: z.string(),
    HTTPAddr: z.string(),
    Attributes: stringMap.nullable(),
    Meta: stringMap.nullable(),
    Drivers: z.record(z.string(), DriverInfo).nullable(),
    NodeResources: z.looseObject({}).nullable(),
    Status: z.enum(['initializing', 'ready', 'down', 'disconnected']),
    StatusDescription: z.string(),
    SchedulingEligibility: z.enum(['eligible', 'ineligible']),
    DrainStrategy: z.looseObject({}).nullable(),
    CreateIndex: index,
    ModifyIndex: index,
  })
  .meta({ id: 'Node' });

export const NodeUpdateResponse = z
  .object({ EvalIDs: strings.nullable(), EvalCreateIndex: index, NodeModifyIndex: index, Index: index, LastIndex: index, RequestTime: z.int() })
  .meta({ id: 'NodeDrainUpdateResponse' });

export const AgentSelf = z
  .looseObject({
    config: z.looseObject({ Region: z.string(), Datacenter: z.string(), Version: z.looseObject({ Version: z.string() }) }),
    member: z.looseObject({ Name: z.string(), Addr: z.string(), Status: z.string(), Tags: stringMap }),
    stats: z.looseObject({}),
  })
  .meta({ id: 'AgentSelf' });


export const JobValidateResponse = z
  .object({ DriverConfigValidated: z.boolean(), ValidationErrors: strings.nullable(), Error: z.string(), Warnings: z.string() })
  .meta({ id: 'JobValidateResponse' });

export const Namespace = z
  .looseObject({ Name: z.string(), Description: z.string(), Quota: z.string(), Meta: stringMap.nullable(), CreateIndex: index, ModifyIndex: index })
  .meta({ id: 'Namespace' });

export const ACLToken = z
  .object({
    AccessorID: z.string(),
    SecretID: z.string(),
    Name: z.string(),
    Type: z.enum(['client', 'management']),
    Policies: strings.nullable(),
    Roles: z.null(),
    Global: z.boolean(),
    Hash: z.string(),
    CreateTime: z.string(),
    ExpirationTime: z.string().nullable(),
    ExpirationTTL: z.int(),
    CreateIndex: index,
    ModifyIndex: index,
  })
  .meta({ id: 'ACLToken' });

/** One frame of a log stream (frames are written back to back; `{}` is a heartbeat). */
export const StreamFrame = z
  .object({ Offset: z.int().optional(), Data: z.string().optional().meta({ description: 'base64' }), File: z.string().optional(), FileEvent: z.string().optional() })
  .meta({ id: 'StreamFrame' });

export const ACLPolicy = z
  .object({ Name: z.string(), Description: z.string(), Rules: z.string(), JobACL: z.looseObject({}).nullable(), CreateIndex: index, ModifyIndex: index })
  .meta({ id: 'ACLPolicy' });

export const ACLPolicyListStub = z.object({ Name: z.string(), Description: z.string(), CreateIndex: index, ModifyIndex: index }).meta({ id: 'ACLPolicyListStub' });

export const ACLTokenListStub = ACLToken.omit({ SecretID: true, ExpirationTTL: true }).meta({ id: 'ACLTokenListStub', description: 'The token without its secret' });

const VariableLock = z.object({ TTL: z.string().meta({ description: 'A Go duration, `""` when unset' }), LockDelay: z.string(), ID: z.string() });

const variableFields = {
  Namespace: z.string(),
  Path: z.string(),
  Lock: VariableLock.optional().meta({ description: 'Only on a locked variable' }),
  CreateIndex: index,
  CreateTime: nanos,
  ModifyIndex: index,
  ModifyTime: nanos,
};

export const VariableMetadata = z.object(variableFields).meta({ id: 'VariableMetadata' });

export const Variable = z
  .object({ ...variableFields, Items: stringMap.optional().meta({ description: 'Left out when empty (a write answer, a conflict seen without read access)' }) })
  .meta({ id: 'Variable' });

/** The Variable a write sends, as the handler's decoder reads it (field names in any case, the lock's durations as Go durations or nanoseconds). */
export const VariableRequest = z
  .object({
    Namespace: z.string().optional(),
    Path: z.string().optional(),
    Items: stringMap.optional().meta({ description: 'Required except for lock operations' }),
    Lock: z.object({ ID: z.string().optional(), TTL: z.union([z.string(), z.int()]).optional(), LockDelay: z.union([z.string(), z.int()]).optional() }).optional(),
  })
  .meta({ id: 'VariableRequest' });

export const ServiceRegistration = z
  .object({
    ID: z.string(),
    ServiceName: z.string(),
    Namespace: z.string(),
    NodeID: z.string(),
    Datacenter: z.string(),
    JobID: z.string(),
    AllocID: z.string(),
    Tags: strings,
    Address: z.string(),
    Port: z.int(),
    CreateIndex: index,
    ModifyIndex: index,
  })
  .meta({ id: 'ServiceRegistration' });

export const ServiceRegistrationListStub = z
  .object({ Namespace: z.string(), Services: z.array(z.object({ ServiceName: z.string(), Tags: strings })) })
  .meta({ id: 'ServiceRegistrationListStub' });

const queryMeta = { Index: index, LastContact: z.int(), KnownLeader: z.boolean(), NextToken: z.string() };

export const SearchResponse = z
  .object({ Matches: z.record(z.string(), strings.nullable()), Truncations: z.record(z.string(), z.boolean()), ...queryMeta })
  .meta({ id: 'SearchResponse' });

export const FuzzySearchResponse = z
  .object({ Matches: z.record(z.string(), z.array(z.object({ ID: z.string(), Scope: strings.optional() })).nullable()), Truncations: z.record(z.string(), z.boolean()), ...queryMeta })
  .meta({ id: 'FuzzySearchResponse' });

export const AgentHealthResponse = z
  .object({
    server: z.object({ ok: z.boolean(), message: z.string() }).optional(),
    client: z.object({ ok: z.boolean(), message: z.string() }).optional(),
  })
  .meta({ id: 'AgentHealthResponse' });

export const MetricsSummary = z
  .object({
    Timestamp: z.string(),
    Gauges: z.array(z.object({ Name: z.string(), Value: z.number(), Labels: stringMap })),
    Points: z.array(z.looseObject({})),
    Counters: z.array(z.looseObject({})),
    Samples: z.array(z.looseObject({})),
  })
  .meta({ id: 'MetricsSummary' });

export const ParsedJob = z
  .looseObject({ ID: z.string().nullable(), Name: z.string().nullable(), Type: z.string().nullable(), TaskGroups: z.array(z.looseObject({ Name: z.string().nullable(), Tasks: z.array(z.looseObject({ Name: z.string(), Driver: z.string() })).nullable() })).nullable() })
  .meta({ id: 'ParsedJob', description: "Nomad's api.Job: fields not set in the jobspec are null unless canonicalized" });

export const AllocFileInfo = z
  .object({
    Name: z.string(),
    IsDir: z.boolean(),
    Size: z.int(),
    FileMode: z.string().meta({ description: "Go's os.FileMode.String(), e.g. `-rw-r--r--`" }),
    ModTime: z.string(),
    ContentType: z.string().optional().meta({ description: 'stat only: the sniffed media type' }),
  })
  .meta({ id: 'AllocFileInfo' });

const ResourceUsage = z.looseObject({
  MemoryStats: z.looseObject({ RSS: z.int(), Measured: strings.nullable() }),
  CpuStats: z.looseObject({ Percent: z.number(), TotalTicks: z.number(), Measured: strings.nullable() }),
});

export const AllocResourceUsage = z
  .object({
    ResourceUsage,
    Tasks: z.record(z.string(), z.looseObject({ ResourceUsage, Timestamp: nanos, Pids: z.record(z.string(), z.looseObject({})).nullable().optional() })),
    Timestamp: nanos,
  })
  .meta({ id: 'AllocResourceUsage' });
