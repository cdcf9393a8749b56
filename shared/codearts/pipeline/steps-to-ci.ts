import { dump } from 'js-yaml';

/**
 * A build task's definition as a GitLab CI file (pure). CodeArts runs a build's steps in order in
 * one workspace on one build machine, so the whole task is one job, `build`, untagged (any shell
 * runner that runs untagged jobs takes it), whose script runs each enabled step in turn:
 *
 * - a step with a `command` property (CodeArts's "Execute Shell Command", module
 *   `devcloud2018.codeci_action_20017.action`, and the build-tool steps that carry a command)
 *   runs that command;
 * - any other step echoes what it would have run, since its module (Maven, npm, image push…)
 *   does not exist on a plain shell runner;
 * - `enable: false` steps are left out; a step failing fails the build (the later ones do not run).
 *
 * The task's parameters become the file's variables (their default values; a run's `parameter`
 * values override them as pipeline variables) and its `timeout` the job's timeout.
 */
export const CI_JOB_NAME = 'build';

export interface Step {
  module_id: string;
  name: string;
  version?: unknown;
  enable?: unknown;
  properties?: unknown;
}

export interface TaskDefinition {
  steps: Step[];
  parameters?: unknown;
  timeout?: unknown;
}

export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Single-quoted for a POSIX shell. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A step's shell command: `properties.command`, which some clients send JSON-encoded a second time. */
export function commandOf(step: Step): string | undefined {
  const properties = step.properties;
  if (typeof properties !== 'object' || properties === null) return undefined;
  const command = (properties as Record<string, unknown>).command;
  if (typeof command !== 'string') return undefined;
  if (command.startsWith('"')) {
    try {
      const decoded: unknown = JSON.parse(command);
      if (typeof decoded === 'string') return decoded;
    } catch {
      // Not JSON: a command that starts with a quote.
    }
  }
  return command;
}

function stepScript(step: Step, position: number, count: number): string[] {
  const banner = `echo ${shellQuote(`[${position}/${count}] ${step.name} (${step.module_id})`)}`;
  const command = commandOf(step);
  if (command !== undefined) return command.trim() === '' ? [banner] : [banner, command];
  const properties = JSON.stringify(step.properties ?? {});
  return [banner, `echo ${shellQuote(`module ${step.module_id} is not available on this runner; it would run with properties ${properties}`)}`];
}

/** `parameters: [{name: 'hudson.model.StringParameterDefinition', params: [{name: 'name', value}, {name: 'defaultValue', value}, …]}]` → defaults. */
export function parameterDefaults(parameters: unknown): Record<string, string> {
  const defaults: Record<string, string> = {};
  if (!Array.isArray(parameters)) return defaults;
  for (const parameter of parameters) {
    const params: unknown = (parameter as { params?: unknown } | null)?.params;
    if (!Array.isArray(params)) continue;
    const field = (name: string) => {
      const value = params.find((param) => (param as { name?: unknown } | null)?.name === name)?.value;
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
    };
    const name = field('name');
    if (name !== undefined && VARIABLE_NAME.test(name)) defaults[name] = field('defaultValue') ?? '';
  }
  return defaults;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, sec: 1, second: 1, seconds: 1, m: 60, min: 60, minute: 60, minutes: 60, h: 3600, hour: 3600, hours: 3600, d: 86400, day: 86400, days: 86400 };

/** `timeout: {limit: "30", unit: "MINUTES"}` → seconds, or undefined when it does not read as a duration. */
export function timeoutSeconds(timeout: unknown): number | undefined {
  if (typeof timeout !== 'object' || timeout === null) return undefined;
  const { limit, unit } = timeout as { limit?: unknown; unit?: unknown };
  const amount = typeof limit === 'number' ? limit : typeof limit === 'string' && /^\d+(\.\d+)?$/.test(limit.trim()) ? Number(limit) : NaN;
  const factor = typeof unit === 'string' ? UNIT_SECONDS[unit.trim().toLowerCase()] : undefined;
  if (!Number.isFinite(amount) || amount <= 0 || factor === undefined) return undefined;
  return Math.ceil(amount * factor);
}

export function ciFile(task: TaskDefinition): string {
  const enabled = task.steps.filter((step) => step.enable !== false && step.enable !== 'false');
  const script = enabled.flatMap((step, i) => stepScript(step, i + 1, enabled.length));
  const job: Record<string, unknown> = {
    stage: 'build',
    script: script.length > 0 ? script : [`echo ${shellQuote('this build task has no enabled steps')}`],
  };
  const timeout = timeoutSeconds(task.timeout);
  if (timeout !== undefined) job.timeout = `${timeout} seconds`;
  const variables = parameterDefaults(task.parameters);
  const file: Record<string, unknown> = { stages: ['build'] };
  if (Object.keys(variables).length > 0) file.variables = variables;
  file[CI_JOB_NAME] = job;
  return `# Generated from a CodeArts build task; runs of the task create pipelines from it.\n${dump(file)}`;
}
