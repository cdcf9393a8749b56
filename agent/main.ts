import { createLogger } from './common/logger';
import { parseNomadAgentArgs, USAGE } from './nomad/config';
import { startNomadAgent } from './nomad/agent';
import { parseRunnerArgs, RUNNER_USAGE } from './gitlab-runner/config';
import { startGitLabRunner } from './gitlab-runner/runner';

/**
 * `jobplane-agent [mode] [options]`: one program, one mode per kind of worker. `nomad` (the
 * default) runs a Nomad client node; `gitlab-runner` runs GitLab CI jobs with the shell executor.
 * Each mode lives under agent/<mode>/.
 */
const MODES = ['nomad', 'gitlab-runner'] as const;

async function runGitLabRunner(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseRunnerArgs(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${RUNNER_USAGE}`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(RUNNER_USAGE);
    return;
  }
  const log = createLogger(parsed.config.logLevel, 'runner');
  const runner = startGitLabRunner(parsed.config, log);
  try {
    await runner.ready;
  } catch (error) {
    log.error((error as Error).message);
    process.exit(1);
  }
  log.info(`asking ${parsed.config.url} for jobs (shell executor, ${parsed.config.concurrent} at a time)`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping the runner and its jobs`);
    await runner.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

async function main(argv: string[]): Promise<void> {
  const mode = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'nomad';
  const rest = argv[0] === mode ? argv.slice(1) : argv;
  if (!(MODES as readonly string[]).includes(mode)) {
    process.stderr.write(`unknown mode ${JSON.stringify(mode)} (modes: ${MODES.join(', ')})\n\n${USAGE}`);
    process.exit(2);
  }
  if (mode === 'gitlab-runner') return runGitLabRunner(rest);
  let parsed;
  try {
    parsed = parseNomadAgentArgs(rest);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    return;
  }
  const log = createLogger(parsed.config.logLevel);
  const agent = startNomadAgent(parsed.config, log);
  log.info(`node ${agent.nodeId} starting against ${parsed.config.api} with drivers ${parsed.config.drivers.join(', ')}`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping the agent and its tasks`);
    await agent.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

await main(process.argv.slice(2));
