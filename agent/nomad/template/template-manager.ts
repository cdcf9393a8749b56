import { randomInt } from 'node:crypto';
import { chmodSync, chownSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ApiClient } from '../../common/api-client';
import { sleep } from '../../common/backoff';
import { execute, parse, type GoFunc } from '../../common/go-template/execute';
import type { ParsedTemplate } from '../../common/go-template/parse';
import { prepareParent, resolveTaskPath } from '../allocrunner/task-paths';
import type { TaskDirs } from '../allocrunner/task-env';
import { nomadFuncs, type Dependency, type RenderDeps } from './dependencies';
import { DependencyWatcher } from './dependency-watcher';
import { parseEnvFile } from './env-file';
import { helperFuncs } from './helpers';

/**
 * A task's `template` blocks, run as Nomad's template hook runs them: before the task starts,
 * every template is rendered (waiting for the Nomad data it reads; a `Template` event lists what
 * is still missing, at most every 3 s) and written to its destination in the task directory with
 * its `perms` (and `uid`/`gid`); `env = true` templates are read back as the task's environment.
 * Afterwards the data is watched (blocking queries), and a template whose output changes is
 * written again and acted on per its `change_mode`: `restart` (`Restart Signaled`, "Template with
 * change_mode restart re-rendered"), `signal` (`Signaling`, "Template re-rendered"), `script`
 * (the script run in the task, `Task hook message`/`Task hook failed`) or `noop`, after a random
 * `splay`. A template that cannot render kills the task (`Killing`, "Template failed: …").
 */
export interface TemplateSpec {
  SourcePath?: string;
  DestPath?: string;
  EmbeddedTmpl?: string;
  ChangeMode?: string;
  ChangeSignal?: string;
  ChangeScript?: { Command?: string; Args?: string[] | null; Timeout?: number; FailOnError?: boolean } | null;
  Splay?: number;
  Perms?: string;
  Uid?: number | null;
  Gid?: number | null;
  LeftDelim?: string;
  RightDelim?: string;
  Envvars?: boolean;
  ErrMissingKey?: boolean;
  Once?: boolean;
  /** Quiescence before a re-render: at least Min without further change, at most Max (nanoseconds). */
  Wait?: { Min?: number | null; Max?: number | null } | null;
}

export interface TemplateEvent {
  type: 'Template' | 'Killing' | 'Restart Signaled' | 'Signaling' | 'Task hook message' | 'Task hook failed';
  displayMessage: string;
  failsTask?: boolean;
  taskSignal?: string;
}

/** What the manager does to its task (the task runner's lifecycle). */
export interface TemplateLifecycle {
  isRunning(): boolean;
  restart(event: TemplateEvent): Promise<void>;
  signal(signal: string, event: TemplateEvent): void;
  kill(event: TemplateEvent): Promise<void>;
  /** Runs a change script in the task's environment; resolves with its exit code. */
  exec(command: string, args: string[], timeoutMs: number): Promise<number>;
  emit(event: TemplateEvent): void;
}

export interface TemplateManagerOptions {
  templates: TemplateSpec[];
  /** The task's directories on the host. */
  dirs: TaskDirs;
  /** The task's environment (what `env` reads, with `node.*`, `attr.*` and `meta.*` too). */
  env: Record<string, string>;
  /** Interpolates `${…}` in source and destination paths. */
  interpolate: (text: string) => string;
  namespace: string;
  http: ApiClient;
  lifecycle: TemplateLifecycle;
  /** How long missing dependencies wait before a `Template` event names them (Nomad: 3 s). */
  missingEventDelayMs?: number;
}

export class TemplateFailure extends Error {}

interface Compiled {
  spec: TemplateSpec;
  source: string;
  dest: string;
  tmpl: ParsedTemplate | undefined;
  parseError: string | undefined;
  rendered: boolean;
  lastOutput: string | undefined;
}

const SIGNAL_NAMES: Record<string, string> = { SIGHUP: 'hangup', SIGINT: 'interrupt', SIGQUIT: 'quit', SIGKILL: 'killed', SIGUSR1: 'user defined signal 1', SIGUSR2: 'user defined signal 2', SIGTERM: 'terminated' };
const FUNC_NAMES = new Set([...Object.keys(helperFuncs()), ...Object.keys(nomadFuncs(new Map(), { used: new Map(), missing: new Map() }, 'default')), 'env', 'mustEnv', 'envOrDefault']);

export class TemplateManager {
  private readonly compiled: Compiled[];
  private readonly watcher: DependencyWatcher;
  private changed: () => void = () => undefined;
  private firstDone = false;
  private stopped = false;
  private rendering: Promise<void> = Promise.resolve();
  private failure: string | undefined;
  private waitTimer: NodeJS.Timeout | undefined;
  private pendingSince = 0;
  templateEnv: Record<string, string> = {};

  constructor(private readonly options: TemplateManagerOptions) {
    this.watcher = new DependencyWatcher({
      http: options.http,
      onChange: () => this.changed(),
      onError: (error) => this.fail(`Template failed: ${error.message}`),
    });
    this.compiled = options.templates.map((spec) => this.compile(spec));
  }

  private compile(spec: TemplateSpec): Compiled {
    const { dirs, interpolate } = this.options;
    const dest = resolveTaskPath(dirs, interpolate(spec.DestPath ?? ''), 'template destination');
    let source = spec.EmbeddedTmpl ?? '';
    let parseError: string | undefined;
    if (spec.SourcePath) {
      try {
        source = readFileSync(resolveTaskPath(dirs, interpolate(spec.SourcePath), 'template source'), 'utf8');
      } catch (error) {
        parseError = `${spec.SourcePath}: failed to read template: ${(error as Error).message}`;
      }
    }
    let tmpl: ParsedTemplate | undefined;
    if (!parseError) {
      try {
        tmpl = parse(source, { name: '', leftDelim: spec.LeftDelim || '{{', rightDelim: spec.RightDelim || '}}', funcs: Object.fromEntries([...FUNC_NAMES].map((name) => [name, () => undefined])) });
      } catch (error) {
        parseError = `${spec.SourcePath ?? ''}: parse: ${(error as Error).message}`;
      }
    }
    return { spec, source, dest, tmpl, parseError, rendered: false, lastOutput: undefined };
  }

  private envFuncs(): Record<string, GoFunc> {
    const { env } = this.options;
    return {
      env: (key) => env[String(key)] ?? '',
      mustEnv: (key) => {
        if (!(String(key) in env)) throw new Error(`mustEnv: environment variable ${JSON.stringify(key)} not set`);
        return env[String(key)];
      },
      envOrDefault: (key, fallback) => env[String(key)] || String(fallback),
    };
  }

  /** Renders every template once; returns the templates whose files changed and the dependencies used. */
  private renderAll(): { changed: Compiled[]; used: Map<string, Dependency>; missing: Map<string, Dependency> } {
    const changed: Compiled[] = [];
    const used = new Map<string, Dependency>();
    const missing = new Map<string, Dependency>();
    for (const item of this.compiled) {
      if (item.parseError) throw new TemplateFailure(`Template failed: ${item.parseError}`);
      if (item.spec.Once && item.rendered) continue;
      const deps: RenderDeps = { used: new Map(), missing: new Map() };
      const funcs = { ...helperFuncs(), ...nomadFuncs(this.watcher.brain, deps, this.options.namespace), ...this.envFuncs() };
      let output: string;
      try {
        output = execute(item.tmpl!, undefined, { funcs, errMissingKey: item.spec.ErrMissingKey ?? false });
      } catch (error) {
        throw new TemplateFailure(`Template failed: ${item.spec.SourcePath ?? ''}: execute: ${(error as Error).message}`);
      }
      for (const [key, dep] of deps.used) used.set(key, dep);
      if (deps.missing.size > 0) {
        for (const [key, dep] of deps.missing) missing.set(key, dep);
        continue;
      }
      if (this.write(item, output)) changed.push(item);
      item.rendered = true;
    }
    if (!this.stopped) this.watcher.watch(used);
    return { changed, used, missing };
  }

  /** Writes the output if it differs from the file's content; true when it did. */
  private write(item: Compiled, output: string): boolean {
    const { dirs } = this.options;
    const current = item.lastOutput ?? (existsSync(item.dest) ? readFileSync(item.dest, 'utf8') : undefined);
    item.lastOutput = output;
    if (current === output) return false;
    prepareParent(dirs, item.dest, 'template destination');
    const temp = `${item.dest}.${process.pid}.tmp`;
    writeFileSync(temp, output);
    chmodSync(temp, parseInt(item.spec.Perms || '0644', 8));
    if (item.spec.Uid != null || item.spec.Gid != null) chownSync(temp, item.spec.Uid ?? -1, item.spec.Gid ?? -1);
    renameSync(temp, item.dest);
    return true;
  }

  private readEnv(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const item of this.compiled) {
      if (!item.spec.Envvars) continue;
      try {
        Object.assign(env, parseEnvFile(readFileSync(item.dest, 'utf8')));
      } catch (error) {
        throw new TemplateFailure(`Template failed to read environment variables: error parsing env template ${JSON.stringify(item.dest)}: ${(error as Error).message}`);
      }
    }
    return env;
  }

  /**
   * Renders every template before the task starts; resolves with the environment the `env`
   * templates give, rejects with a TemplateFailure. `restored`: the task already runs (a restarted
   * agent), so what differs from the files on disk is acted on as a change.
   */
  async prestart(signal: AbortSignal, restored = false): Promise<Record<string, string>> {
    if (this.firstDone) return this.templateEnv;
    const delay = this.options.missingEventDelayMs ?? 3_000;
    let reported = '';
    let pending: NodeJS.Timeout | undefined;
    try {
      for (;;) {
        if (signal.aborted || this.stopped) throw new TemplateFailure('aborted');
        if (this.failure) throw new TemplateFailure(this.failure);
        const wake = new Promise<void>((resolve) => (this.changed = resolve));
        const { changed, missing } = this.renderAll();
        if (missing.size === 0) {
          this.templateEnv = this.readEnv();
          this.firstDone = true;
          if (restored && changed.length > 0) void this.onChanges(changed);
          break;
        }
        const names = [...missing.keys()].sort();
        const text = names.length > 3 ? [...names.slice(0, 3), `and ${names.length - 3} more`].join(', ') : names.join(', ');
        if (text !== reported) {
          clearTimeout(pending);
          pending = setTimeout(() => {
            reported = text;
            this.options.lifecycle.emit({ type: 'Template', displayMessage: `Missing: ${text}` });
          }, delay);
        }
        await Promise.race([wake, sleep(60_000, signal)]);
      }
    } finally {
      clearTimeout(pending);
    }
    if (this.compiled.every((item) => (item.spec.ChangeMode || 'restart') === 'noop' || item.spec.Once)) this.watcher.stop();
    else this.changed = () => this.quiesce();
    return this.templateEnv;
  }

  /** Re-renders once the data has been quiet for the templates' `wait.min`, and no later than `wait.max` after the first change. */
  private quiesce(): void {
    const waits = this.compiled.map((item) => item.spec.Wait).filter((wait) => wait);
    const minMs = Math.max(0, ...waits.map((wait) => (wait!.Min ?? 0) / 1e6));
    if (minMs === 0) return this.rerender();
    const maxMs = Math.max(0, ...waits.map((wait) => (wait!.Max ?? 0) / 1e6));
    const now = Date.now();
    if (!this.pendingSince) this.pendingSince = now;
    clearTimeout(this.waitTimer);
    const delay = maxMs > 0 ? Math.min(minMs, this.pendingSince + maxMs - now) : minMs;
    this.waitTimer = setTimeout(() => {
      this.pendingSince = 0;
      this.rerender();
    }, Math.max(0, delay));
  }

  private rerender(): void {
    this.rendering = this.rendering.then(async () => {
      if (this.stopped) return;
      try {
        const { changed } = this.renderAll();
        if (changed.length > 0) {
          this.templateEnv = this.readEnv();
          await this.onChanges(changed);
        }
      } catch (error) {
        await this.fail((error as Error).message);
      }
    });
  }

  private async fail(message: string): Promise<void> {
    if (this.stopped || this.failure) return;
    this.failure = message;
    this.changed();
    if (this.firstDone) {
      this.stop();
      await this.options.lifecycle.kill({ type: 'Killing', displayMessage: message, failsTask: true });
    }
  }

  private async onChanges(changed: Compiled[]): Promise<void> {
    const { lifecycle } = this.options;
    if (!lifecycle.isRunning()) return;
    const modes = changed.map((item) => item.spec).filter((spec) => (spec.ChangeMode || 'restart') !== 'noop');
    if (modes.length === 0) return;
    const splayNs = Math.max(...modes.map((spec) => spec.Splay ?? 0));
    if (splayNs > 0) await sleep(randomInt(Math.max(1, Math.floor(splayNs / 1e6))));
    if (this.stopped) return;
    if (modes.some((spec) => (spec.ChangeMode || 'restart') === 'restart')) {
      await lifecycle.restart({ type: 'Restart Signaled', displayMessage: 'Template with change_mode restart re-rendered' });
      return;
    }
    const signals = new Set(modes.filter((spec) => spec.ChangeMode === 'signal').map((spec) => (spec.ChangeSignal || 'SIGHUP').toUpperCase()));
    for (const name of signals) lifecycle.signal(name, { type: 'Signaling', displayMessage: 'Template re-rendered', taskSignal: SIGNAL_NAMES[name] ?? name });
    for (const spec of modes.filter((candidate) => candidate.ChangeMode === 'script')) await this.runScript(spec);
  }

  private async runScript(spec: TemplateSpec): Promise<void> {
    const { lifecycle } = this.options;
    const script = spec.ChangeScript ?? {};
    const command = script.Command ?? '';
    const args = script.Args ?? [];
    const argv = `[${args.join(' ')}]`;
    let failure: string | undefined;
    try {
      const code = await lifecycle.exec(command, args, (script.Timeout ?? 5e9) / 1e6);
      if (code !== 0) failure = `Template ran script ${command} with arguments ${argv} on change but it exited with code: ${code}`;
    } catch (error) {
      failure = `Template failed to run script ${command} with arguments ${argv} on change: ${(error as Error).message}. Exit code: 0`;
    }
    if (!failure) {
      lifecycle.emit({ type: 'Task hook message', displayMessage: `Template successfully ran script ${command} with arguments: ${argv}. Exit code: 0` });
      return;
    }
    lifecycle.emit({ type: 'Task hook failed', displayMessage: failure });
    if (script.FailOnError) await lifecycle.kill({ type: 'Killing', displayMessage: 'Template script failed, task is being killed', failsTask: true });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.waitTimer);
    this.watcher.stop();
    this.changed();
  }
}
