import { join } from 'node:path';
import type { Allocation } from '../../shared/nomad/structs/allocation';
import type { Logger } from '../common/logger';
import { AgentChannel } from './actions/agent-channel';
import { runAction } from './actions/action-runner';
import type { ToAgent } from '../../shared/nomad/client/actions/channel-protocol';
import { AllocRunner } from './allocrunner/alloc-runner';
import { hostEnv, type NodeFacts } from './allocrunner/task-env';
import { AllocWatcher } from './alloc-watcher';
import type { NomadAgentConfig } from './config';
import { ControlPlane } from './control-plane';
import { createDrivers } from './drivers/registry';
import { hostFacts, nodeRegistration } from './fingerprint';
import { LogShipper } from './logs/log-shipper';
import { loadNodeIdentity } from './node-identity';
import { NodeLifecycle } from './node-lifecycle';
import { ServiceRegistrar } from './services/service-registrar';
import { StatusReporter } from './status-reporter';

/**
 * The Nomad client mode: fingerprints and registers the node, heartbeats, watches and runs its
 * allocations, reports their status, ships their logs, registers their services and serves
 * actions over its channel to the API. `stop()` stops the tasks it runs (this agent cannot
 * re-attach to them after a restart) without reporting them finished: the server learns the
 * node is gone from its missing heartbeats and replaces the allocations elsewhere.
 */
export interface NomadAgent {
  nodeId: string;
  /** Resolves once the node is registered and watching its allocations. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export function startNomadAgent(config: NomadAgentConfig, log: Logger): NomadAgent {
  const identity = loadNodeIdentity(config.dataDir);
  const plane = new ControlPlane(config.api, config.token, identity.id, identity.secretId);
  const drivers = createDrivers(config.drivers);
  const facts = hostFacts(config.dataDir, config.address);
  const httpAddr = `${facts.address}:0`;
  const registration = () =>
    nodeRegistration(
      hostFacts(config.dataDir, config.address),
      config,
      identity,
      [...drivers.values()].map((driver) => ({ name: driver.name, attributes: driver.attributes })),
      httpAddr,
    );
  const node: NodeFacts & { address: string; minPort: number; maxPort: number } = {
    id: identity.id,
    name: config.name,
    datacenter: config.datacenter,
    nodeClass: config.nodeClass,
    nodePool: config.nodePool,
    region: 'global',
    attributes: registration().Attributes as Record<string, string>,
    meta: config.meta,
    address: facts.address,
    minPort: 20000,
    maxPort: 32000,
  };

  const stopping = new AbortController();
  const reporter = new StatusReporter(plane, log.child('status'));
  const logs = new LogShipper(plane, log.child('logs'));
  const services = new ServiceRegistrar(plane, node);
  const takenPorts = new Set<number>();
  const baseEnv = hostEnv(process.env);
  const watcher = new AllocWatcher({
    plane,
    log: log.child('allocs'),
    createRunner: (alloc: Allocation) =>
      new AllocRunner(alloc, {
        drivers,
        node,
        allocRoot: join(config.dataDir, 'alloc'),
        baseEnv,
        takenPorts,
        report: (update) => reporter.update(update),
        logSink: (allocId, logDir, task) => logs.sink(allocId, logDir, task),
        services,
        log: log.child(`alloc.${alloc.ID.slice(0, 8)}`),
      }),
    onFinished: (runner) => void logs.close(runner.id),
    report: (update) => reporter.update(update),
  });
  const lifecycle = new NodeLifecycle(plane, registration, log.child('node'));

  const sessions = new Map<string, AbortController>();
  let channel: AgentChannel | undefined;
  const onChannelMessage = (message: ToAgent) => {
    if (message.Type === 'action.cancel') return sessions.get(message.Session)?.abort();
    if (message.Type !== 'action.start') return;
    const abort = new AbortController();
    sessions.set(message.Session, abort);
    void runAction(message, watcher.runners.get(message.AllocID), drivers, (out) => channel?.send(out), abort.signal).finally(() => sessions.delete(message.Session));
  };

  const loops: Promise<void>[] = [];
  const ready = (async () => {
    await lifecycle.register(stopping.signal);
    if (stopping.signal.aborted) return;
    loops.push(lifecycle.heartbeat(stopping.signal), watcher.run(stopping.signal));
    const url = await plane.channelUrl().catch((error) => {
      log.warn(`no action channel: ${(error as Error).message}`);
      return undefined;
    });
    if (url && !stopping.signal.aborted) {
      channel = new AgentChannel({ url, headers: plane.http.headers(), onMessage: onChannelMessage, log: log.child('channel') });
      loops.push(channel.run());
    }
  })();

  return {
    nodeId: identity.id,
    ready,
    async stop() {
      stopping.abort();
      channel?.stop();
      for (const session of sessions.values()) session.abort();
      reporter.stop();
      await ready.catch(() => undefined);
      await Promise.all([...watcher.runners.values()].map((runner) => runner.destroy(false)));
      await logs.stop();
      await Promise.allSettled(loops);
    },
  };
}
