import { join } from 'node:path';
import type { Allocation } from '../../shared/nomad/structs/allocation';
import type { Logger } from '../common/logger';
import { AgentChannel } from './actions/agent-channel';
import { runAction } from './actions/action-runner';
import type { ToAgent } from '../../shared/nomad/wire/channel-protocol';
import { AllocRunner, type AllocRecord } from './allocrunner/alloc-runner';
import { hostEnv, type NodeFacts } from './allocrunner/task-env';
import { AllocWatcher } from './alloc-watcher';
import { ClientOps } from './clientops/client-ops';
import { ExecSession } from './clientops/exec-runner';
import type { NomadAgentConfig } from './config';
import { ControlPlane } from './control-plane';
import { createDrivers, detectDriverHost } from './drivers/registry';
import { hostFacts, nodeRegistration } from './fingerprint';
import { LogShipper } from './logs/log-shipper';
import { loadNodeIdentity } from './node-identity';
import { NodeLifecycle } from './node-lifecycle';
import { ServiceRegistrar } from './services/service-registrar';
import { ClientStateStore } from './state/client-state';
import { StatusReporter } from './status-reporter';

/**
 * The Nomad client mode: fingerprints and registers the node, heartbeats, watches and runs its
 * allocations, reports their status, ships their logs, registers their services and serves
 * actions over its channel to the API. What it runs is kept in its local state, so `stop()`
 * leaves the tasks running and an agent started again with the same data dir takes them up
 * (with `stopTasksOnExit`, `stop()` stops them without reporting them finished: the server then
 * learns the node is gone from its missing heartbeats and replaces the allocations elsewhere).
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
  const host = { ...detectDriverHost(), chrootEnv: config.chrootEnv };
  const cgroups = host.cgroups;
  if (!cgroups) log.warn('no usable cgroups: task memory is limited with prlimit only, and the exec driver is unhealthy');
  const drivers = createDrivers(config.drivers, host);
  for (const driver of drivers.values()) if (!driver.health.healthy) log.warn(`driver ${driver.name}: ${driver.health.description}`);
  const facts = hostFacts(config.dataDir, config.address);
  const httpAddr = `${facts.address}:0`;
  const registration = () =>
    nodeRegistration(
      { ...hostFacts(config.dataDir, config.address), cgroup: cgroups },
      config,
      identity,
      [...drivers.values()].map((driver) => ({ name: driver.name, attributes: driver.attributes, health: driver.health })),
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
  const state = new ClientStateStore(config.dataDir);
  const restored = state.load();
  let saving: NodeJS.Immediate | undefined;
  let stateClosed = false;
  const saveNow = () => {
    if (stateClosed) return;
    clearImmediate(saving);
    saving = undefined;
    try {
      state.save([...watcher.runners.values()].map((runner) => runner.snapshot()).concat([...restored.values()]));
    } catch (error) {
      log.error(`saving the client state: ${(error as Error).message}`);
    }
  };
  const saveSoon = () => {
    if (!saving && !stateClosed) saving = setImmediate(saveNow);
  };
  const reporter = new StatusReporter(plane, log.child('status'));
  const logs = new LogShipper(plane, log.child('logs'), { onShipped: saveSoon, onShipping: saveNow });
  const services = new ServiceRegistrar(plane, node);
  const takenPorts = new Set<number>();
  const baseEnv = hostEnv(process.env);
  const watcher = new AllocWatcher({
    plane,
    log: log.child('allocs'),
    createRunner: (alloc: Allocation, record?: AllocRecord) =>
      new AllocRunner(
        alloc,
        {
          drivers,
          node,
          allocRoot: join(config.dataDir, 'alloc'),
          baseEnv,
          takenPorts,
          report: (update) => {
            reporter.update(update);
            saveSoon();
          },
          logSink: (allocId, logDir, task, from) => logs.sink(allocId, logDir, task, from),
          services,
          log: log.child(`alloc.${alloc.ID.slice(0, 8)}`),
          api: plane.http,
        },
        record,
      ),
    restored,
    onFinished: (runner) => void logs.close(runner.id).then(saveSoon),
    report: (update) => reporter.update(update),
  });
  const lifecycle = new NodeLifecycle(plane, registration, log.child('node'));

  const sessions = new Map<string, AbortController>();
  const execs = new Map<string, ExecSession>();
  let channel: AgentChannel | undefined;
  const clientOps = new ClientOps({
    runners: watcher.runners,
    allocRoot: join(config.dataDir, 'alloc'),
    mhzPerCore: () => Number(node.attributes['cpu.frequency']) || 0,
    send: (reply) => channel?.send(reply),
    onCollected: saveSoon,
    log: log.child('client-ops'),
  });
  const onChannelMessage = (message: ToAgent) => {
    if (message.Type === 'rpc.request' || message.Type === 'rpc.cancel') return clientOps.handle(message);
    if (message.Type === 'action.cancel') return sessions.get(message.Session)?.abort();
    if (message.Type === 'action.input') return execs.get(message.Session)?.input(message.Frame);
    if (message.Type !== 'action.start') return;
    const abort = new AbortController();
    sessions.set(message.Session, abort);
    if (message.Command) {
      const exec = new ExecSession({ ...message, Command: message.Command }, (out) => channel?.send(out));
      execs.set(message.Session, exec);
      void exec.run(watcher.runners.get(message.AllocID), drivers, abort.signal).finally(() => {
        sessions.delete(message.Session);
        execs.delete(message.Session);
      });
      return;
    }
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
      clientOps.stop();
      reporter.stop();
      await ready.catch(() => undefined);
      if (config.stopTasksOnExit) {
        await Promise.all([...watcher.runners.values()].map((runner) => runner.destroy(false)));
        watcher.runners.clear();
        restored.clear();
      } else {
        for (const runner of watcher.runners.values()) runner.detach();
      }
      await logs.stop();
      saveNow();
      stateClosed = true;
      await Promise.allSettled(loops);
    },
  };
}
