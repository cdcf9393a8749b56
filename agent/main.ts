import { createLogger, type Logger } from './common/logger';
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

type Parsed<C> = { help: true } | { help: false; config: C };

/** The mode's settings; undefined once the usage was asked for and printed. A bad flag exits 2. */
function parseOrExit<C>(parse: (argv: string[]) => Parsed<C>, argv: string[], usage: string): C | undefined {
  let parsed: Parsed<C>;
  try {
    parsed = parse(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(usage);
    return undefined;
  }
  return parsed.config;
}

/** On the first SIGINT or SIGTERM: `stop()`, then exit. */
function stopOnSignals(log: Logger, what: string, stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping ${what}`);
    await stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

async function runGitLabRunner(argv: string[]): Promise<void> {
  const config = parseOrExit(parseRunnerArgs, argv, RUNNER_USAGE);
  if (!config) return;
  const log = createLogger(config.logLevel, 'runner');
  const runner = startGitLabRunner(config, log);
  try {
    await runner.ready;
  } catch (error) {
    log.error((error as Error).message);
    process.exit(1);
  }
  log.info(`asking ${config.url} for jobs (shell executor, ${config.concurrent} at a time)`);
  stopOnSignals(log, 'the runner and its jobs', () => runner.stop());
}

function runNomadAgent(argv: string[]): void {
  const config = parseOrExit(parseNomadAgentArgs, argv, USAGE);
  if (!config) return;
  const log = createLogger(config.logLevel);
  const agent = startNomadAgent(config, log);
  log.info(`node ${agent.nodeId} starting against ${config.api} with drivers ${config.drivers.join(', ')}`);
  stopOnSignals(log, 'the agent and its tasks', () => agent.stop());
}

async function main(argv: string[]): Promise<void> {
  const mode = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'nomad';
  const rest = argv[0] === mode ? argv.slice(1) : argv;
  if (!(MODES as readonly string[]).includes(mode)) {
    process.stderr.write(`unknown mode ${JSON.stringify(mode)} (modes: ${MODES.join(', ')})\n\n${USAGE}`);
    process.exit(2);
  }
  if (mode === 'gitlab-runner') return runGitLabRunner(rest);
  runNomadAgent(rest);
}

await main(process.argv.slice(2));
