import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep } from '../common/backoff';
import type { Logger } from '../common/logger';
import { killProcessGroup } from '../common/process-group';
import type { JobArtifactSpec, JobPayload, JobStep, JobUpdateParams, RunnerFailureReason } from '../../shared/gitlab/entities/runner-protocol';
import { RUNNER_VERSION, type RunnerApi } from './api';
import { gzipFiles, sha256OfFile, unzipInto, zipEntries } from './archive';
import { collectArtifacts } from './collect';
import { checkout, CheckoutFailed, untrackedFiles } from './git-checkout';
import { stepScript } from './shell-script';
import { JobTrace } from './trace';
import { uploadArtifact } from './upload';
import { expandVariables } from './variables';

/**
 * One job on the shell executor: a fresh folder, the job's variables as the environment, the
 * `script` step (before_script + script) then `after_script` in new shells, artifacts zipped and
 * uploaded by their `when`, the log streamed all along, and the final state with the exit code
 * and a failure reason. A `Job-Status` of canceled or failed (or a 403) aborts it at once,
 * killing the script's whole process group; `canceling` stops the script and still runs
 * after_script, as GitLab's graceful cancel asks.
 */
export interface JobRunnerOptions {
  buildsDir: string;
  /** Which of the runner's concurrent slots runs the job: its folder is `<builds>/<slot>/<project path>`. */
  slot: number;
  shell: string;
  /** Seconds between log updates. */
  updateInterval: number;
  log: Logger;
}

type Outcome = { state: 'success' } | { state: 'failed'; reason: RunnerFailureReason; exitCode?: number; message: string };

const KILL_GRACE_MS = 2_000;
const AFTER_SCRIPT_MAX_SECONDS = 300;

export class JobRun {
  private readonly trace: JobTrace;
  private abortReason: 'canceled' | 'canceling' | 'stopped' | undefined;
  private current: ChildProcess | undefined;
  private readonly deadline: number;
  private timedOut = false;
  private stopUpdates = false;

  constructor(
    private readonly api: RunnerApi,
    private readonly job: JobPayload,
    private readonly options: JobRunnerOptions,
  ) {
    const masked = job.variables.filter((variable) => variable.masked && variable.value.length >= 8).map((variable) => variable.value);
    this.trace = new JobTrace(api, job.id, job.token, masked, (status) => this.onStatus(status), options.log);
    this.deadline = Date.now() + job.runner_info.timeout * 1000;
  }

  /** The runner is stopping: the job ends as a runner system failure. */
  stop(): void {
    this.interrupt('stopped');
  }

  private onStatus(status: string): void {
    if (status === 'canceled' || status === 'failed') this.interrupt('canceled');
    else if (status === 'canceling') this.interrupt('canceling');
  }

  private interrupt(reason: 'canceled' | 'canceling' | 'stopped'): void {
    if (this.abortReason === 'canceled' || this.abortReason === reason) return;
    this.abortReason = reason;
    this.killCurrent();
  }

  private killCurrent(): void {
    const child = this.current;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    killProcessGroup(child, 'SIGTERM');
    setTimeout(() => killProcessGroup(child, 'SIGKILL'), KILL_GRACE_MS).unref();
  }

  async run(): Promise<void> {
    const { log } = this.options;
    const updates = this.updateLoop();
    let outcome: Outcome;
    try {
      outcome = await this.execute();
    } catch (error) {
      outcome = { state: 'failed', reason: 'runner_system_failure', message: (error as Error).message };
    }
    this.stopUpdates = true;
    await updates;
    if (this.abortReason === 'canceled') {
      log.info(`job ${this.job.id} was canceled`);
      this.trace.line('\x1b[31;1mERROR: Job failed: canceled\x1b[0;m');
      await this.trace.flush();
      return;
    }
    if (outcome.state === 'success') this.trace.line('\x1b[32;1mJob succeeded\x1b[0;m');
    else this.trace.line(`\x1b[31;1mERROR: Job failed: ${outcome.message}\x1b[0;m`);
    await this.trace.flush();
    await this.finish(outcome);
    log.info(`job ${this.job.id} ${outcome.state === 'success' ? 'succeeded' : `failed (${outcome.reason})`}`);
  }

  private async updateLoop(): Promise<void> {
    const interval = this.options.updateInterval * 1000;
    while (!this.stopUpdates) {
      await sleep(Math.min(interval, 250));
      if (this.stopUpdates) break;
      await this.trace.update(interval);
      if (!this.timedOut && Date.now() > this.deadline) {
        this.timedOut = true;
        this.killCurrent();
      }
    }
  }

  private async finish(outcome: Outcome): Promise<void> {
    const body: JobUpdateParams = { token: this.job.token, state: outcome.state, output: { bytesize: this.trace.bytesize } };
    if (outcome.state === 'failed') {
      body.failure_reason = outcome.reason;
      if (outcome.exitCode !== undefined) body.exit_code = outcome.exitCode;
    }
    for (let attempt = 0; attempt < 10; attempt++) {
      const response = await this.api.call('PUT', `/jobs/${this.job.id}`, { json: body }).catch(() => undefined);
      await response?.body?.cancel();
      // 202: the coordinator is still finalising the log; ask again.
      if (response && response.status !== 202 && response.status < 500) return;
      await sleep(1000 * (attempt + 1));
    }
  }

  /** The runner's own environment, then its build variables and the job's (file variables as files in `tmp`). */
  private async environment(dir: string, tmp: string): Promise<Record<string, string>> {
    const env: Record<string, string> = { ...(process.env as Record<string, string>) };
    const runnerVariables = [
      { key: 'CI_PROJECT_DIR', value: dir },
      { key: 'CI_BUILDS_DIR', value: this.options.buildsDir },
      { key: 'CI_JOB_STATUS', value: 'running' },
      { key: 'CI_RUNNER_VERSION', value: RUNNER_VERSION },
      { key: 'CI_RUNNER_EXECUTABLE_ARCH', value: `${process.platform}/${process.arch}` },
    ];
    for (const variable of expandVariables([...runnerVariables, ...this.job.variables])) {
      if (variable.file) {
        const path = join(tmp, variable.key);
        await writeFile(path, variable.value, { mode: 0o600 });
        env[variable.key] = path;
      } else {
        env[variable.key] = variable.value;
      }
    }
    return env;
  }

  private async execute(): Promise<Outcome> {
    const { job } = this;
    const variables = new Map(expandVariables(job.variables).map((variable) => [variable.key, variable.value]));
    // As gitlab-runner: one folder per slot and project, kept between jobs so `fetch` reuses it.
    const dir = join(this.options.buildsDir, String(this.options.slot), variables.get('CI_PROJECT_PATH') ?? String(job.job_info.project_id));
    const tmp = `${dir}.tmp`;
    this.trace.line(`\x1b[0KRunning with gitlab-runner ${RUNNER_VERSION} (jobplane shell runner)`);
    this.trace.line(`\x1b[0K\x1b[36;1mPreparing the "shell" executor\x1b[0;m`);
    this.trace.line(`\x1b[0KUsing Shell (${this.options.shell}) executor...`);
    await rm(tmp, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await mkdir(tmp, { recursive: true });
    try {
      const env = await this.environment(dir, tmp);
      this.trace.line(`\x1b[0K\x1b[36;1mPreparing environment\x1b[0;m`);
      this.trace.line(`Running in ${dir}`);
      this.trace.line(`\x1b[0K\x1b[36;1mGetting source from Git repository\x1b[0;m`);
      try {
        await checkout({ job, dir, variables, env, line: (text) => this.trace.line(text), write: (chunk) => this.trace.write(chunk) });
      } catch (error) {
        if (!(error instanceof CheckoutFailed)) throw error;
        return { state: 'failed', reason: 'script_failure', message: error.message };
      }
      await this.downloadDependencies(dir, tmp);
      let outcome: Outcome = { state: 'success' };
      for (const step of job.steps.filter((candidate) => candidate.name !== 'after_script')) {
        if (this.abortReason || !this.wanted(step.when, outcome)) continue;
        this.trace.line(`\x1b[0K\x1b[36;1mExecuting "step_${step.name}" stage of the job script\x1b[0;m`);
        outcome = await this.runStep(step, dir, tmp, env);
      }
      const afterScript = job.steps.find((step) => step.name === 'after_script');
      if (afterScript && this.abortReason !== 'canceled' && this.abortReason !== 'stopped') {
        this.trace.line(`\x1b[0K\x1b[36;1mRunning after_script\x1b[0;m`);
        const status = this.abortReason === 'canceling' ? 'canceled' : outcome.state === 'success' ? 'success' : 'failed';
        const after = await this.runCommands(afterScript.script, dir, tmp, { ...env, CI_JOB_STATUS: status }, Math.min(afterScript.timeout, AFTER_SCRIPT_MAX_SECONDS) * 1000);
        if (after.exitCode !== 0) this.trace.line(`\x1b[0;33mWARNING: after_script failed, but job will continue unaffected: exit code ${after.exitCode}\x1b[0;m`);
      }
      if (this.abortReason === 'stopped') return { state: 'failed', reason: 'runner_system_failure', message: 'the runner was stopped' };
      if (this.abortReason !== 'canceled') {
        const uploaded = await this.uploadArtifacts(dir, tmp, outcome);
        if (!uploaded && outcome.state === 'success') outcome = { state: 'failed', reason: 'script_failure', message: 'uploading artifacts failed' };
      }
      return outcome;
    } finally {
      this.trace.line(`\x1b[0K\x1b[36;1mCleaning up project directory and file based variables\x1b[0;m`);
      await rm(tmp, { recursive: true, force: true });
    }
  }

  private wanted(when: JobStep['when'], outcome: Outcome): boolean {
    return when === 'always' || (when === 'on_success') === (outcome.state === 'success');
  }

  private async runStep(step: JobStep, dir: string, tmp: string, env: Record<string, string>): Promise<Outcome> {
    const remaining = this.deadline - Date.now();
    const result = await this.runCommands(step.script, dir, tmp, env, Math.min(remaining, step.timeout * 1000));
    if (this.timedOut || result.timedOut) {
      return { state: 'failed', reason: 'job_execution_timeout', message: `execution took longer than ${this.job.runner_info.timeout} seconds` };
    }
    if (this.abortReason === 'canceling') return { state: 'failed', reason: 'script_failure', message: 'canceled' };
    if (result.exitCode === 0) return { state: 'success' };
    if (step.allow_failure) return { state: 'success' };
    return { state: 'failed', reason: 'script_failure', exitCode: result.exitCode, message: `exit code ${result.exitCode}` };
  }

  /** Runs `commands` in a new shell in its own process group; kills the group when time runs out. */
  private async runCommands(commands: string[], dir: string, tmp: string, env: Record<string, string>, timeoutMs: number): Promise<{ exitCode: number; timedOut: boolean }> {
    const script = join(tmp, `script-${Date.now()}.sh`);
    await writeFile(script, stepScript(commands), { mode: 0o700 });
    const child = spawn(this.options.shell, [script], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.current = child;
    child.stdout!.on('data', (chunk: Buffer) => this.trace.write(chunk));
    child.stderr!.on('data', (chunk: Buffer) => this.trace.write(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.killCurrent();
    }, Math.max(0, timeoutMs));
    const exitCode = await new Promise<number>((resolve) => {
      child.once('error', (error) => {
        this.trace.line(`ERROR: cannot start ${this.options.shell}: ${error.message}`);
        resolve(127);
      });
      child.once('close', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
    });
    clearTimeout(timer);
    this.current = undefined;
    return { exitCode, timedOut };
  }

  private async downloadDependencies(dir: string, tmp: string): Promise<void> {
    for (const dependency of this.job.dependencies ?? []) {
      if (!dependency.artifacts_file) continue;
      this.trace.line(`Downloading artifacts for ${dependency.name} (${dependency.id})...`);
      const response = await this.api.call('GET', `/jobs/${dependency.id}/artifacts?direct_download=true`, { headers: { 'JOB-TOKEN': this.job.token } });
      const location = response.headers.get('Location');
      const file = response.status === 302 && location ? await fetch(location) : response;
      if (!file.ok) {
        await file.body?.cancel();
        throw new Error(`downloading artifacts of ${dependency.name} (${dependency.id}) failed: ${file.status}`);
      }
      const archive = join(tmp, `dependency-${dependency.id}.zip`);
      await writeFile(archive, Buffer.from(await file.arrayBuffer()));
      const count = await unzipInto(archive, dir);
      this.trace.line(`Downloading artifacts from coordinator... ok        id=${dependency.id} files=${count}`);
    }
  }

  /** Uploads the artifacts `outcome` calls for; answers false when one failed. */
  private async uploadArtifacts(dir: string, tmp: string, outcome: Outcome): Promise<boolean> {
    const specs = (this.job.artifacts ?? []).filter((spec) => this.wanted(spec.when, outcome));
    if (specs.length === 0) return true;
    this.trace.line(`\x1b[0K\x1b[36;1mUploading artifacts for ${outcome.state === 'success' ? 'successful' : 'failed'} job\x1b[0;m`);
    let ok = true;
    for (const spec of specs) {
      try {
        await this.uploadOne(spec, dir, tmp);
      } catch (error) {
        ok = false;
        this.trace.line(`\x1b[31;1mERROR: Uploading artifacts as "${spec.artifact_type}" to coordinator... ${(error as Error).message}\x1b[0;m`);
      }
    }
    return ok;
  }

  private async uploadOne(spec: JobArtifactSpec, dir: string, tmp: string): Promise<void> {
    this.trace.line(spec.artifact_type === 'archive' ? 'Uploading artifacts...' : `Uploading artifacts (${spec.artifact_type})...`);
    const { entries, unmatched } = await collectArtifacts(dir, spec.paths, spec.exclude ?? [], spec.untracked ? await untrackedFiles(dir) : []);
    for (const pattern of unmatched) this.trace.line(`\x1b[0;33mWARNING: ${pattern}: no matching files. Ensure that the artifact path is relative to the working directory (${dir})\x1b[0;m`);
    const files = entries.filter((entry) => !entry.endsWith('/'));
    if (files.length === 0) {
      this.trace.line('\x1b[31;1mERROR: No files to upload\x1b[0;m');
      return;
    }
    this.trace.line(`${spec.paths.join(', ')}: found ${entries.length} matching artifact files and directories`);
    const target = join(tmp, `upload-${spec.artifact_type}`);
    let name: string | undefined;
    if (spec.artifact_format === 'zip') {
      await zipEntries(dir, entries, target);
      name = `${spec.name ?? 'artifacts'}.zip`;
    } else if (spec.artifact_format === 'gzip') {
      await gzipFiles(dir, files, target);
    } else {
      if (files.length > 1) this.trace.line(`\x1b[0;33mWARNING: ${spec.artifact_type}: only one file can be sent raw; sending ${files[0]}\x1b[0;m`);
      await copyFile(join(dir, files[0]!), target);
    }
    const size = (await stat(target)).size;
    const status = await uploadArtifact(this.api, this.job.id, this.job.token, spec, { path: target, size, sha256: await sha256OfFile(target), name });
    this.trace.line(`Uploading artifacts as "${spec.artifact_type}" to coordinator... ${status} Created  id=${this.job.id} responseStatus=${status} Created token=${this.job.token.slice(0, 8)}`);
  }
}
