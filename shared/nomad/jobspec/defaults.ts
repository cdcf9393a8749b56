import type {
  EphemeralDisk,
  LogConfig,
  MigrateStrategy,
  ReschedulePolicy,
  Resources,
  RestartPolicy,
  UpdateStrategy,
} from '../structs/job';

/** Nomad's defaults, as its api package applies them when canonicalising a job. */
const SECOND = 1_000_000_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export const DEFAULT_PRIORITY = 50;
export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_REGION = 'global';
export const DEFAULT_NODE_POOL = 'default';

export const DEFAULT_UPDATE: UpdateStrategy = {
  Stagger: 30 * SECOND,
  MaxParallel: 1,
  HealthCheck: 'checks',
  MinHealthyTime: 10 * SECOND,
  HealthyDeadline: 5 * MINUTE,
  ProgressDeadline: 10 * MINUTE,
  AutoRevert: false,
  AutoPromote: false,
  Canary: 0,
};

export const DEFAULT_MIGRATE: MigrateStrategy = {
  MaxParallel: 1,
  HealthCheck: 'checks',
  MinHealthyTime: 10 * SECOND,
  HealthyDeadline: 5 * MINUTE,
};

export const DEFAULT_SERVICE_RESCHEDULE: ReschedulePolicy = {
  Attempts: 0,
  Interval: 0,
  Delay: 30 * SECOND,
  DelayFunction: 'exponential',
  MaxDelay: HOUR,
  Unlimited: true,
};

export const DEFAULT_BATCH_RESCHEDULE: ReschedulePolicy = {
  Attempts: 1,
  Interval: 24 * HOUR,
  Delay: 5 * SECOND,
  DelayFunction: 'constant',
  MaxDelay: 0,
  Unlimited: false,
};

export const DEFAULT_SERVICE_RESTART: RestartPolicy = {
  Attempts: 2,
  Interval: 30 * MINUTE,
  Delay: 15 * SECOND,
  Mode: 'fail',
  RenderTemplates: false,
};

export const DEFAULT_BATCH_RESTART: RestartPolicy = {
  Attempts: 3,
  Interval: 24 * HOUR,
  Delay: 15 * SECOND,
  Mode: 'fail',
  RenderTemplates: false,
};

export const DEFAULT_EPHEMERAL_DISK: EphemeralDisk = { Sticky: false, SizeMB: 300, Migrate: false };

export const DEFAULT_RESOURCES: Resources = {
  CPU: 100,
  Cores: 0,
  MemoryMB: 300,
  MemoryMaxMB: 0,
  DiskMB: 0,
  Networks: null,
  Devices: null,
};

export const DEFAULT_LOG_CONFIG: LogConfig = { MaxFiles: 10, MaxFileSizeMB: 10, Disabled: false };

export const DEFAULT_KILL_TIMEOUT = 5 * SECOND;
