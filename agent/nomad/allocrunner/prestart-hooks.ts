import type { Task } from '../../../shared/nomad/structs/job';
import type { ApiClient } from '../../common/api-client';
import type { Logger } from '../../common/logger';
import { ArtifactError, getArtifact, type ArtifactSpec } from '../artifacts/artifact-getter';
import type { Driver } from '../drivers/driver';
import { TemplateFailure, TemplateManager, type TemplateEvent, type TemplateSpec } from '../template/template-manager';
import { TaskEventType, type TaskEventFields, type TaskEventTypeName } from './task-events';
import type { NodeFacts, TaskDirs } from './task-env';
import { PrestartFailure, type TaskHooks } from './task-hooks';
import type { TaskRunner } from './task-runner';

/**
 * A task's artifact and template hooks, in Nomad's order: artifacts are downloaded first
 * (`Downloading Artifacts`; a failure is `Failed Artifact Download` and counts against the restart
 * policy; ones already fetched are not fetched again on a retry), then templates are rendered
 * (a failure kills the task). The template manager acts on its task through the task runner.
 */
export interface PrestartHookOptions {
  task: Task;
  dirs: TaskDirs;
  env: Record<string, string>;
  node: NodeFacts;
  namespace: string;
  interpolate: (text: string) => string;
  api: ApiClient;
  driver: Driver | undefined;
  runner: () => TaskRunner;
  kill: { timeoutMs: number; signal: string };
  hostNetwork: boolean;
  log: Logger;
}

function templateEnv(env: Record<string, string>, node: NodeFacts): Record<string, string> {
  const out: Record<string, string> = {
    'node.unique.id': node.id,
    'node.unique.name': node.name,
    'node.datacenter': node.datacenter,
    'node.class': node.nodeClass,
    'node.pool': node.nodePool,
    'node.region': node.region,
  };
  for (const [key, value] of Object.entries(node.attributes)) out[`attr.${key}`] = value;
  for (const [key, value] of Object.entries(node.meta)) out[`meta.${key}`] = value;
  return { ...out, ...env };
}

export class PrestartHooks implements TaskHooks {
  private readonly fetched = new Set<number>();
  private readonly templates: TemplateManager | undefined;
  private readonly restoring = new AbortController();

  constructor(private readonly options: PrestartHookOptions) {
    const specs = (options.task.Templates ?? []) as TemplateSpec[];
    if (specs.length > 0) {
      this.templates = new TemplateManager({
        templates: specs,
        dirs: options.dirs,
        env: templateEnv(options.env, options.node),
        interpolate: options.interpolate,
        namespace: options.namespace,
        http: options.api,
        lifecycle: {
          isRunning: () => options.runner().state.State === 'running',
          restart: async (event) => void (await options.runner().restart(this.event(event), options.kill, false)),
          signal: (signal, event) => void options.runner().signal(signal, this.event(event)),
          kill: (event) => options.runner().kill({ killTimeoutMs: options.kill.timeoutMs, killSignal: options.kill.signal, shutdownDelayMs: 0, cause: this.event(event) }),
          exec: (command, args, timeoutMs) => this.exec(command, args, timeoutMs),
          emit: (event) => {
            const { type, fields } = this.event(event);
            options.runner().emit(type, fields);
          },
        },
      });
    }
  }

  private event(event: TemplateEvent): { type: TaskEventTypeName; fields: TaskEventFields } {
    return { type: event.type as TaskEventTypeName, fields: { DisplayMessage: event.displayMessage, FailsTask: event.failsTask, TaskSignal: event.taskSignal } };
  }

  private async exec(command: string, args: string[], timeoutMs: number): Promise<number> {
    const { driver, task, dirs, env, hostNetwork } = this.options;
    if (!driver) throw new Error('task driver is not enabled');
    const ignore = () => undefined;
    const { exitCode } = await driver.exec({ command, args, env, cwd: dirs.taskDir, user: task.User, hostNetwork, taskConfig: task.Config ?? {}, output: { stdout: ignore, stderr: ignore }, signal: AbortSignal.timeout(timeoutMs) });
    return exitCode;
  }

  async prestart(signal: AbortSignal): Promise<Record<string, string>> {
    await this.artifacts(signal);
    if (!this.templates) return {};
    try {
      return await this.templates.prestart(signal);
    } catch (error) {
      if (signal.aborted || !(error instanceof TemplateFailure)) throw error;
      throw new PrestartFailure({ type: TaskEventType.Killing, fields: { DisplayMessage: error.message, FailsTask: true } }, 'kill');
    }
  }

  private async artifacts(signal: AbortSignal): Promise<void> {
    const specs = (this.options.task.Artifacts ?? []) as ArtifactSpec[];
    if (specs.length === 0 || this.fetched.size === specs.length) return;
    this.options.runner().emit(TaskEventType.DownloadingArtifacts, {});
    for (const [i, spec] of specs.entries()) {
      if (this.fetched.has(i)) continue;
      try {
        await getArtifact(spec, { dirs: this.options.dirs, interpolate: this.options.interpolate, signal });
      } catch (error) {
        if (signal.aborted) throw error;
        const reason = error instanceof ArtifactError ? error.message : `error downloading '${spec.GetterSource}': ${(error as Error).message}`;
        this.options.log.warn(`artifact ${spec.GetterSource}: ${reason}`);
        throw new PrestartFailure({ type: TaskEventType.ArtifactDownloadFailed, fields: { DownloadError: `failed to download artifact ${JSON.stringify(spec.GetterSource ?? '')}: ${reason}` } }, 'restart');
      }
      this.fetched.add(i);
    }
  }

  restored(): void {
    // The files are already there; a restarted agent renders again and acts on what changed meanwhile.
    this.fetched.clear();
    for (let i = 0; i < (this.options.task.Artifacts ?? []).length; i++) this.fetched.add(i);
    void this.templates?.prestart(this.restoring.signal, true).catch(async (error) => {
      if (error instanceof TemplateFailure && !this.restoring.signal.aborted) {
        await this.options.runner().kill({ killTimeoutMs: this.options.kill.timeoutMs, killSignal: this.options.kill.signal, shutdownDelayMs: 0, cause: { type: TaskEventType.Killing, fields: { DisplayMessage: error.message, FailsTask: true } } });
      }
    });
  }

  stop(): void {
    this.restoring.abort();
    this.templates?.stop();
  }
}
