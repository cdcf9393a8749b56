import { join } from 'node:path';
import { backoffDelay, sleep } from '../common/backoff';
import type { Logger } from '../common/logger';
import { RunnerApi, RUNNER_FEATURES, RUNNER_VERSION } from './api';
import type { RunnerConfig } from './config';
import { JobRun } from './job-runner';
import { runnerToken } from './registration';

/**
 * The GitLab runner mode: gets its token, then asks `POST /jobs/request` for work whenever it has
 * a free slot (`concurrent`), waiting `check_interval` after an empty answer and backing off when
 * the coordinator cannot be reached. `stop()` ends the running jobs and waits for them.
 */
export interface GitLabRunner {
  /** Resolves once the runner has its token and asks for jobs. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export function startGitLabRunner(config: RunnerConfig, log: Logger): GitLabRunner {
  const api = new RunnerApi(config.url);
  const running = new Set<{ run: JobRun; done: Promise<void>; slot: number }>();
  let stopping = false;
  const wake = new AbortController();
  let slotFreed: (() => void) | undefined;

  const info = {
    name: 'gitlab-runner',
    version: RUNNER_VERSION,
    revision: 'jobplane',
    platform: process.platform,
    architecture: process.arch,
    executor: 'shell',
    shell: config.shell,
    features: RUNNER_FEATURES,
  };

  async function loop(token: string): Promise<void> {
    let lastUpdate: string | undefined;
    let failures = 0;
    while (!stopping) {
      if (running.size >= config.concurrent) {
        await new Promise<void>((resolve) => (slotFreed = resolve));
        continue;
      }
      try {
        const answer = await api.requestJob(token, lastUpdate, info);
        failures = 0;
        if (!answer.job) {
          lastUpdate = answer.lastUpdate;
          await sleep(config.checkInterval * 1000, wake.signal);
          continue;
        }
        const job = answer.job;
        log.info(`job ${job.id} (${job.job_info.name}) of project ${job.job_info.project_id} received`);
        const busy = new Set([...running].map((other) => other.slot));
        let slot = 0;
        while (busy.has(slot)) slot++;
        const run = new JobRun(api, job, { buildsDir: join(config.dataDir, 'builds'), slot, shell: config.shell, updateInterval: config.updateInterval, log });
        const entry = { run, done: Promise.resolve(), slot };
        entry.done = run
          .run()
          .catch((error: unknown) => log.error(`job ${job.id}: ${(error as Error).message}`))
          .finally(() => {
            running.delete(entry);
            slotFreed?.();
          });
        running.add(entry);
        if (stopping) run.stop();
      } catch (error) {
        failures++;
        log.warn(`asking for a job failed: ${(error as Error).message}`);
        await sleep(backoffDelay(failures, { baseMs: 1000, maxMs: 30_000 }), wake.signal);
      }
    }
  }

  const ready = runnerToken(api, config, log);
  const looping = ready.then(loop);
  looping.catch((error: unknown) => log.error(`runner stopped: ${(error as Error).message}`));

  return {
    ready: ready.then(() => undefined),
    async stop() {
      stopping = true;
      wake.abort();
      slotFreed?.();
      await looping.catch(() => undefined);
      for (const entry of running) entry.run.stop();
      await Promise.all([...running].map((entry) => entry.done));
    },
  };
}
