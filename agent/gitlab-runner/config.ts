import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseLogLevel, type LogLevel } from '../common/logger';

/**
 * The GitLab runner mode's settings, from flags and the environment gitlab-runner itself reads
 * (`CI_SERVER_URL`, `CI_SERVER_TOKEN`, `REGISTRATION_TOKEN`).
 */
export interface RunnerConfig {
  /** The GitLab URL (the API is under `/api/v4`). */
  url: string;
  /** A runner authentication token (`glrt-…`); otherwise the one saved under `dataDir`, or one got by registering. */
  token?: string;
  /** A project's or the instance's registration token, for the legacy `POST /runners`. */
  registrationToken?: string;
  /** An administrator's access token, to create an instance runner with `POST /user/runners`. */
  adminToken?: string;
  /** Builds (one fresh folder per job) and the saved runner token live here. */
  dataDir: string;
  description: string;
  tags: string[];
  runUntagged: boolean;
  /** Jobs run at once. */
  concurrent: number;
  /** Seconds between job requests while there is nothing to do (gitlab-runner's `check_interval`). */
  checkInterval: number;
  /** Seconds between trace updates of a running job; cancels are noticed at this pace. */
  updateInterval: number;
  shell: string;
  logLevel: LogLevel;
}

export const RUNNER_USAGE = `Usage: jobplane-agent gitlab-runner [options]

Runs GitLab CI jobs with the shell executor against a jobplane (or GitLab) API: asks for jobs,
runs before_script, script and after_script in a fresh folder with the job's variables, streams
the log, uploads artifacts and reports the result.

Options:
  --url URL                  GitLab URL (env CI_SERVER_URL; default http://127.0.0.1:4646)
  --token TOKEN              runner authentication token, glrt-… (env CI_SERVER_TOKEN)
  --registration-token TOK   register with a registration token (env REGISTRATION_TOKEN)
  --admin-token TOKEN        create an instance runner with an administrator's token (POST /user/runners)
  --data-dir DIR             builds and the saved runner token (default ./runner-data)
  --description TEXT         runner description (default: the host name)
  --tag NAME                 runner tag (repeatable)
  --run-untagged BOOL        take untagged jobs too (default true)
  --concurrent N             jobs at once (default 1)
  --check-interval SECONDS   wait between job requests when idle (default 3)
  --update-interval SECONDS  wait between log updates of a running job (default 3)
  --shell PATH               shell the scripts run in (default bash)
  --log-level LEVEL          debug, info, warn or error (default info)
  -h, --help                 this text
`;

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${JSON.stringify(value)}`);
  return n;
}

export function parseRunnerArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): { help: true } | { help: false; config: RunnerConfig } {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      'registration-token': { type: 'string' },
      'admin-token': { type: 'string' },
      'data-dir': { type: 'string' },
      description: { type: 'string' },
      tag: { type: 'string', multiple: true },
      'run-untagged': { type: 'string' },
      concurrent: { type: 'string' },
      'check-interval': { type: 'string' },
      'update-interval': { type: 'string' },
      shell: { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { help: true };
  const url = (values.url ?? env.CI_SERVER_URL ?? 'http://127.0.0.1:4646').replace(/\/+$/, '');
  if (!/^https?:\/\//.test(url)) throw new Error(`--url must be an http(s) URL, got ${JSON.stringify(url)}`);
  const logLevel = parseLogLevel(values['log-level'] ?? 'info');
  const untagged = values['run-untagged'] ?? 'true';
  if (!['true', 'false'].includes(untagged)) throw new Error('--run-untagged must be true or false');
  const concurrent = positive('concurrent', values.concurrent, 1);
  if (!Number.isInteger(concurrent)) throw new Error('--concurrent must be a whole number');
  return {
    help: false,
    config: {
      url,
      token: values.token ?? env.CI_SERVER_TOKEN ?? undefined,
      registrationToken: values['registration-token'] ?? env.REGISTRATION_TOKEN ?? undefined,
      adminToken: values['admin-token'],
      dataDir: resolve(values['data-dir'] ?? 'runner-data'),
      description: values.description ?? hostname(),
      tags: values.tag ?? [],
      runUntagged: untagged === 'true',
      concurrent,
      checkInterval: positive('check-interval', values['check-interval'], 3),
      updateInterval: positive('update-interval', values['update-interval'], 3),
      shell: values.shell ?? 'bash',
      logLevel,
    },
  };
}
