import type { Acl } from '../acl/acl';
import { eventFromChange, eventMatches, framesOf, type NomadEvent } from '../events/from-changes';
import { ChangeReader } from '../store/change-stream';
import { listNamespaces } from '../store/namespaces';

/**
 * Nomad's event stream (nomad/event_endpoint.go) over the table's change stream: the topics and
 * namespaces the token may read, then newline-delimited frames, a `{}` heartbeat at once and
 * every 30 s (Nomad's NewJsonStream interval). With `index` the stream starts after that index
 * from the oldest change the stream keeps, so a client that reconnects with the last Index it saw
 * misses nothing; without, it starts now. It ends when the client goes, or at `deadline` (on
 * Lambda, whose answer is sent whole, the wait a blocking query is allowed).
 */
export const HEARTBEAT_MS = 30_000;

export class EventStreamDenied extends Error {}

/** validateNsOp: each topic's capability in each namespace asked for; `*` and other topics want management. */
export async function streamNamespaces(acl: Acl, namespace: string, topics: Map<string, string[]>): Promise<string[]> {
  const namespaces = namespace === '*' ? (await listNamespaces()).map((entry) => entry.Name) : [namespace];
  for (const name of namespaces) {
    for (const topic of topics.keys()) {
      const allowed =
        topic === 'Job' || topic === 'Evaluation' || topic === 'Allocation' || topic === 'Deployment' || topic === 'Service'
          ? acl.allowNamespace(name, 'read-job')
          : topic === 'Node'
            ? acl.allowNode('read')
            : topic === 'Variable'
              ? acl.allowVariableSearch(name)
              : acl.management;
      if (!allowed) throw new EventStreamDenied('Permission denied');
    }
  }
  return namespaces;
}

export interface StreamOptions {
  topics: Map<string, string[]>;
  namespaces: string[];
  index: number;
  pollMs: number;
  deadline?: number;
  signal?: AbortSignal;
  heartbeatMs?: number;
  /** Per event, after the topic filter: Variable events only for paths the token may list. */
  acl: Acl;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/** The stream's lines (without their newline): `{}` heartbeats and `{"Index":…,"Events":[…]}` frames. */
export async function* eventStreamLines(options: StreamOptions): AsyncGenerator<string> {
  const reader = new ChangeReader(options.index > 0 ? 'oldest' : 'latest');
  await reader.open();
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  let nextHeartbeat = Date.now() + heartbeatMs;
  yield '{}';
  const over = () => options.signal?.aborted || (options.deadline !== undefined && Date.now() >= options.deadline);
  while (!over()) {
    const events: NomadEvent[] = [];
    for (const change of await reader.poll()) {
      const event = eventFromChange(change, change.at);
      if (!event || event.Index <= options.index || !eventMatches(event, options.topics, options.namespaces)) continue;
      if (event.Topic === 'Variable' && !options.acl.allowVariable(event.Namespace, event.Key, 'list')) continue;
      events.push(event);
    }
    for (const frame of framesOf(events)) {
      yield JSON.stringify(frame);
    }
    if (Date.now() >= nextHeartbeat) {
      yield '{}';
      nextHeartbeat = Date.now() + heartbeatMs;
    }
    const wait = Math.min(options.pollMs, nextHeartbeat - Date.now(), options.deadline === undefined ? Infinity : options.deadline - Date.now());
    if (wait > 0) await sleep(wait, options.signal);
  }
}
