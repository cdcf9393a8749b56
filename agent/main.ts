import { createLogger } from './common/logger';
import { parseNomadAgentArgs, USAGE } from './nomad/config';
import { startNomadAgent } from './nomad/agent';

/**
 * `jobplane-agent [mode] [options]`: one program, one mode per kind of worker. `nomad` (the
 * default) runs a Nomad client node; other modes (a GitLab runner, say) live beside it under
 * agent/<mode>/ and get their own word here.
 */
const MODES = ['nomad'] as const;

async function main(argv: string[]): Promise<void> {
  const mode = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'nomad';
  const rest = argv[0] === mode ? argv.slice(1) : argv;
  if (!(MODES as readonly string[]).includes(mode)) {
    process.stderr.write(`unknown mode ${JSON.stringify(mode)} (modes: ${MODES.join(', ')})\n\n${USAGE}`);
    process.exit(2);
  }
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
