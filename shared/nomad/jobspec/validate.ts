import { taskFileProblems } from './task-files';
import { cronSpecError, isValidTimeZone } from '../periodic/cron';
import type { Job, TaskGroup, Task } from '../structs/job';
import { CHILD_ID_ALLOWANCE, MAX_ID_BYTES, storableProblem } from '../structs/validate-ids';

/**
 * Nomad's job validation (structs.Job.Validate) for what we schedule: the error texts are Nomad's,
 * word for word, because scripts match on them. Returns the errors and the warnings; both empty
 * means the job is valid. Pure.
 */
export interface ValidationResult {
  errors: string[];
  warnings: string[];
}

export interface ValidationLimits {
  /** Largest task group count (config MAX_GROUP_COUNT); unbounded when absent, as in Nomad. */
  maxGroupCount?: number;
}

const JOB_TYPES = new Set(['service', 'batch', 'system', 'sysbatch']);
const CONSTRAINT_OPERANDS = new Set([
  '=',
  '==',
  'is',
  '!=',
  'not',
  '<',
  '<=',
  '>',
  '>=',
  'regexp',
  'version',
  'semver',
  'set_contains',
  'set_contains_all',
  'set_contains_any',
  'distinct_hosts',
  'distinct_property',
  'is_set',
  'is_not_set',
]);
const ACTION_NAME = /^[^\x00\s]{1,128}$/;

function validateConstraints(constraints: Job['Constraints'], where: 'job' | 'group' | 'task', errors: string[]): void {
  for (const [index, constraint] of (constraints ?? []).entries()) {
    const problems: string[] = [];
    const operand = constraint.Operand;
    if (!CONSTRAINT_OPERANDS.has(operand)) {
      problems.push(`Unknown constraint type "${operand}"`);
    } else if (['=', '==', 'is', '!=', 'not', '<', '<=', '>', '>=', 'regexp', 'version', 'semver', 'set_contains', 'set_contains_all', 'set_contains_any'].includes(operand)) {
      if (!constraint.RTarget) problems.push(`Operator "${operand}" requires an RTarget`);
    }
    if (operand === 'regexp' && constraint.RTarget) {
      try {
        new RegExp(constraint.RTarget);
      } catch (error) {
        problems.push(`Regular expression failed to compile: ${(error as Error).message}`);
      }
    }
    if (where === 'task' && (operand === 'distinct_hosts' || operand === 'distinct_property')) {
      problems.push(`${operand} constraint is not allowed at the task level`);
    }
    for (const problem of problems) errors.push(`Constraint ${index + 1} validation failed: ${problem}`);
  }
}

function validateTask(task: Task, index: number, groupTasks: Task[], errors: string[]): void {
  const first = groupTasks.findIndex((other) => other.Name === task.Name);
  const nameProblem = task.Name ? storableProblem('Task name', task.Name) : undefined;
  if (!task.Name) errors.push(`Task ${index + 1} missing name`);
  else if (nameProblem) errors.push(nameProblem);
  else if (first !== index) errors.push(`Task ${index + 1} redefines '${task.Name}' from task ${first + 1}`);
  if (task.Name === 'alloc' || task.Name.includes('/')) errors.push(`Task name "${task.Name}" is not allowed`);
  if (!task.Driver) errors.push('Missing task driver');
  if (task.Resources.CPU < 0) errors.push('minimum CPU value is 0; got ' + task.Resources.CPU);
  if (task.Resources.MemoryMB < 10) errors.push(`minimum MemoryMB value is 10; got ${task.Resources.MemoryMB}`);
  if (task.KillTimeout < 0) errors.push('KillTimeout must be a positive value');
  errors.push(...taskFileProblems(task.Templates, task.Artifacts));
  validateConstraints(task.Constraints, 'task', errors);
  const actionNames = new Set<string>();
  for (const action of task.Actions ?? []) {
    if (!ACTION_NAME.test(action.Name ?? '')) errors.push(`invalid name '${action.Name}'`);
    if (actionNames.has(action.Name)) errors.push(`action ${action.Name} defined multiple times`);
    actionNames.add(action.Name);
    if (!action.Command) errors.push('Missing command');
  }
}

function validateGroup(job: Job, group: TaskGroup, index: number, limits: ValidationLimits, errors: string[]): void {
  const groupErrors: string[] = [];
  if (group.Count < 0) groupErrors.push("Task group count can't be negative");
  if (limits.maxGroupCount !== undefined && group.Count > limits.maxGroupCount) {
    groupErrors.push(`Task group count can't exceed ${limits.maxGroupCount}; got ${group.Count}`);
  }
  if (group.Name) {
    const nameProblem = storableProblem('Task group name', group.Name);
    if (nameProblem) groupErrors.push(nameProblem);
  }
  if ((job.Type === 'system' || job.Type === 'sysbatch') && group.Count > 1) {
    groupErrors.push(`Job task group ${group.Name} has count ${group.Count}. Count cannot exceed 1 with system scheduler`);
  }
  if (group.Tasks.length === 0) groupErrors.push('Missing tasks for task group');
  if (job.Type === 'batch' && group.Update !== null) groupErrors.push('Job type "batch" does not allow update block');
  if ((job.Type === 'system' || job.Type === 'sysbatch') && group.Affinities) {
    groupErrors.push('System jobs may not have an affinity block');
  }
  if ((job.Type === 'system' || job.Type === 'sysbatch') && group.Spreads) {
    groupErrors.push('System jobs may not have a spread block');
  }
  if (job.Type === 'system' && group.Scaling) {
    groupErrors.push('Task groups with job type system do not support scaling blocks');
  }
  const leaders = group.Tasks.filter((task) => task.Leader).length;
  if (leaders > 1) groupErrors.push('Only one task may be marked as leader');
  if (group.Tasks.length > 0 && group.Tasks.every((task) => task.Lifecycle !== null)) {
    groupErrors.push('Must have at least one main task');
  }
  validateConstraints(group.Constraints, 'group', groupErrors);
  group.Tasks.forEach((task, taskIndex) => validateTask(task, taskIndex, group.Tasks, groupErrors));
  const name = group.Name || String(index + 1);
  if (groupErrors.length > 0) {
    errors.push(`Task group ${name} validation failed: ${formatErrors(groupErrors)}`);
  }
}

export function validateJob(job: Job, limits: ValidationLimits = {}): ValidationResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  // Children carry what the server appended to their parent's ID.
  const idBytes = MAX_ID_BYTES + (job.ParentID ? CHILD_ID_ALLOWANCE : 0);
  const idProblem = job.ID ? storableProblem('Job ID', job.ID, idBytes) : undefined;
  const nameProblem = job.Name ? storableProblem('Job Name', job.Name, idBytes) : undefined;
  if (!job.Region) errors.push('Missing job region');
  if (!job.ID) errors.push('Missing job ID');
  else if (/\s/.test(job.ID)) errors.push('Job ID contains a space');
  else if (job.ID.includes('\0')) errors.push('Job ID contains a null character');
  else if (idProblem) errors.push(idProblem);
  if (!job.Name) errors.push('Missing job name');
  else if (job.Name.includes('\0')) errors.push('Job Name contains a null character');
  else if (nameProblem) errors.push(nameProblem);
  if (!job.Namespace) errors.push('Job must be in a namespace');
  if (!job.Type) errors.push('Missing job type');
  else if (!JOB_TYPES.has(job.Type)) errors.push(`Invalid job type: "${job.Type}"`);
  if (job.Priority < 1 || job.Priority > 100) errors.push('job priority must be between [1, 100]');
  if (job.Datacenters.length === 0) errors.push('Missing job datacenters');
  else if (job.Datacenters.some((dc) => dc === '')) errors.push('Job datacenter must be non-empty string');
  if (job.TaskGroups.length === 0) errors.push('Missing job task groups');
  validateConstraints(job.Constraints, 'job', errors);
  if ((job.Type === 'system' || job.Type === 'sysbatch') && job.Affinities) {
    errors.push('System jobs may not have an affinity block');
  }
  if ((job.Type === 'system' || job.Type === 'sysbatch') && job.Spreads) {
    errors.push('System jobs may not have a spread block');
  }
  if ((job.Type === 'system' || job.Type === 'sysbatch') && job.TaskGroups.some((group) => group.ReschedulePolicy)) {
    errors.push('System or sysbatch jobs should not have a reschedule policy');
  }
  if (job.Periodic && job.Type !== 'batch' && job.Type !== 'sysbatch') {
    errors.push('Periodic can only be used with "batch" or "sysbatch" scheduler');
  }
  if (job.ParameterizedJob && job.Type !== 'batch' && job.Type !== 'sysbatch') {
    errors.push('Parameterized job can only be used with "batch" or "sysbatch" scheduler');
  }
  const seen = new Map<string, number>();
  job.TaskGroups.forEach((group, index) => {
    if (!group.Name) errors.push(`Job task group ${index + 1} missing name`);
    else if (seen.has(group.Name)) {
      errors.push(`Job task group ${index + 1} redefines '${group.Name}' from group ${seen.get(group.Name)! + 1}`);
    } else seen.set(group.Name, index);
    validateGroup(job, group, index, limits, errors);
  });
  const ui = (job as { UI?: { Description?: unknown } | null }).UI;
  if (typeof ui?.Description === 'string' && Buffer.byteLength(ui.Description) > MAX_DESCRIPTION_BYTES) {
    errors.push(`UI description must be under 1000 characters, currently ${Buffer.byteLength(ui.Description)}`);
  }
  const tagProblem = versionTagDescriptionProblem(job.VersionTag?.Description ?? '');
  if (tagProblem) errors.push(tagProblem);
  if (job.Payload && !job.Dispatched) errors.push("job can't be submitted with a payload, only dispatched");
  if (job.Periodic) validatePeriodic(job.Periodic, errors);
  if (job.ParameterizedJob) validateParameterized(job.ParameterizedJob, errors);
  return { errors, warnings };
}

function validatePeriodic(periodic: NonNullable<Job['Periodic']>, errors: string[]): void {
  if (!periodic.Enabled) return;
  const specs = periodic.Specs ?? [];
  if (periodic.Spec && specs.length > 0) errors.push('Only cron or crons may be used');
  if (!periodic.Spec && specs.length === 0) errors.push('Must specify a spec');
  if (periodic.TimeZone && !isValidTimeZone(periodic.TimeZone)) {
    errors.push(`Invalid time zone "${periodic.TimeZone}": unknown time zone ${periodic.TimeZone}`);
  }
  if (periodic.SpecType !== 'cron') {
    errors.push(`Unknown periodic specification type "${periodic.SpecType}"`);
    return;
  }
  for (const spec of periodic.Spec ? [periodic.Spec] : specs) {
    const problem = cronSpecError(spec);
    if (problem) errors.push(`Invalid cron spec "${spec}": ${problem}`);
  }
}

function validateParameterized(config: NonNullable<Job['ParameterizedJob']>, errors: string[]): void {
  if (!['optional', 'required', 'forbidden'].includes(config.Payload)) {
    errors.push(`Unknown payload requirement: "${config.Payload}"`);
  }
  const optional = new Set(config.MetaOptional ?? []);
  const both = (config.MetaRequired ?? []).filter((key) => optional.has(key));
  if (both.length > 0) {
    errors.push(`Required and optional meta keys should be disjoint. Following keys exist in both: [${both.join(' ')}]`);
  }
}

/** Nomad's bound on descriptions, counted as Go's len() does, in bytes. */
const MAX_DESCRIPTION_BYTES = 1000;

export function versionTagDescriptionProblem(description: string): string | undefined {
  const bytes = Buffer.byteLength(description);
  return bytes > MAX_DESCRIPTION_BYTES ? `Tagged version description must be under 1000 characters, currently ${bytes}` : undefined;
}

/** hashicorp/go-multierror's list format, which Nomad returns for validation failures. */
export function formatErrors(errors: string[]): string {
  if (errors.length === 1) return `1 error occurred:\n\t* ${errors[0]}\n\n`;
  return `${errors.length} errors occurred:\n\t${errors.map((error) => `* ${error}`).join('\n\t')}\n\n`;
}

/** Nomad's warnings text: empty, or a count and a bullet list. */
export function formatWarnings(warnings: string[]): string {
  if (warnings.length === 0) return '';
  const head = warnings.length === 1 ? '1 warning:' : `${warnings.length} warnings:`;
  return `${head}\n\n${warnings.map((warning) => `* ${warning}`).join('\n')}`;
}
