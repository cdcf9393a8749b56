import { ApiError, type ApiClient } from '../../common/api-client';
import { backoffDelay, sleep } from '../../common/backoff';
import type { Brain, Dependency } from './dependencies';
import { NomadVarMeta, nomadService, NomadVariable, type NomadServicesSnippet, type WireServiceRegistration, type WireVariable, type WireVariableMeta } from './nomad-values';

/**
 * Keeps a template's dependencies current in the brain, as consul-template's watcher does: one
 * loop per dependency of blocking queries on Nomad's API (`GET /v1/var/:path`, `/v1/vars`,
 * `/v1/service/:name`, `/v1/services`, each with `index` and `wait`), a change handed to
 * `onChange`. A variable read that finds nothing (404) is "no variable"; `nomadVar`'s blocking
 * dependency stays missing until one exists. Errors are retried with backoff (consul-template's
 * default: 12 attempts from 250 ms, doubling up to a minute); after `maxFailures` in a row
 * `onError` gets the error, named for the dependency as consul-template names it.
 */
// Under undici's five-minute header timeout, which would turn every long wait into an error.
const WAIT = '60s';
/** A server that answers at once without blocking is polled no faster than this. */
const MIN_INTERVAL_MS = 1_000;

interface Fetched {
  index: number;
  wire: unknown;
}

export interface WatcherOptions {
  http: ApiClient;
  onChange: () => void;
  onError: (error: Error) => void;
  maxFailures?: number;
}

async function fetchDependency(http: ApiClient, dep: Dependency, index: number, signal: AbortSignal): Promise<Fetched> {
  const query = (params: Record<string, string>) => new URLSearchParams({ ...params, index: String(index), wait: WAIT }).toString();
  const get = async <T>(path: string) => {
    const { body, headers } = await http.request<T>('GET', path, undefined, signal);
    return { index: Number(headers.get('X-Nomad-Index') ?? 0), wire: body as unknown };
  };
  switch (dep.kind) {
    case 'var':
      try {
        return await get<WireVariable>(`/v1/var/${dep.path.split('/').map(encodeURIComponent).join('/')}?${query({ namespace: dep.namespace })}`);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return { index, wire: null };
        throw error;
      }
    case 'var-list':
      return get<WireVariableMeta[]>(`/v1/vars?${query({ prefix: dep.prefix, namespace: dep.namespace })}`);
    case 'service':
      return get<WireServiceRegistration[]>(`/v1/service/${encodeURIComponent(dep.name)}?${query({ namespace: dep.namespace })}`);
    case 'services':
      return get<{ Namespace: string; Services: { ServiceName: string; Tags: string[] | null }[] }[]>(`/v1/services?${query({ namespace: dep.namespace })}`);
  }
}

/** The template value of a dependency's wire answer; undefined keeps it missing. */
function templateValue(dep: Dependency, wire: unknown): unknown {
  switch (dep.kind) {
    case 'var':
      if (wire === null) return dep.block ? undefined : null;
      return new NomadVariable(wire as WireVariable).Items;
    case 'var-list':
      return ((wire as WireVariableMeta[] | null) ?? []).map((meta) => new NomadVarMeta(meta));
    case 'service':
      return ((wire as WireServiceRegistration[] | null) ?? [])
        .filter((registration) => !dep.tag || (registration.Tags ?? []).includes(dep.tag))
        .map(nomadService)
        .sort((a, b) => (a.Name === b.Name ? 0 : a.Name < b.Name ? -1 : 1));
    case 'services': {
      const namespaces = (wire as { Namespace: string; Services: { ServiceName: string; Tags: string[] | null }[] }[] | null) ?? [];
      const snippets: NomadServicesSnippet[] = namespaces
        .filter((entry) => entry.Namespace === dep.namespace)
        .flatMap((entry) => entry.Services.map((service) => ({ Name: service.ServiceName, Tags: [...(service.Tags ?? [])].sort() })));
      return snippets.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
    }
  }
}

export class DependencyWatcher {
  readonly brain: Brain = new Map();
  private readonly loops = new Map<string, AbortController>();
  private readonly seen = new Map<string, string>();

  constructor(private readonly options: WatcherOptions) {}

  /** Watches exactly these dependencies: new ones start, ones no longer used stop. */
  watch(deps: Map<string, Dependency>): void {
    for (const [key, loop] of this.loops) {
      if (!deps.has(key)) {
        loop.abort();
        this.loops.delete(key);
        this.brain.delete(key);
        this.seen.delete(key);
      }
    }
    for (const [key, dep] of deps) {
      if (this.loops.has(key)) continue;
      const abort = new AbortController();
      this.loops.set(key, abort);
      void this.loop(dep, abort.signal);
    }
  }

  stop(): void {
    for (const loop of this.loops.values()) loop.abort();
    this.loops.clear();
  }

  private async loop(dep: Dependency, signal: AbortSignal): Promise<void> {
    let index = 0;
    let failures = 0;
    while (!signal.aborted) {
      const started = Date.now();
      let fetched: Fetched;
      try {
        fetched = await fetchDependency(this.options.http, dep, index, signal);
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        failures++;
        if (failures >= (this.options.maxFailures ?? 12)) {
          failures = 0;
          this.options.onError(new Error(`${dep.key}: ${describe(error as Error)}`));
        }
        await sleep(backoffDelay(failures || 1, { baseMs: 250, maxMs: 60_000 }), signal);
        continue;
      }
      const text = JSON.stringify(fetched.wire);
      if (this.seen.get(dep.key) !== text) {
        this.seen.set(dep.key, text);
        const value = templateValue(dep, fetched.wire);
        if (value === undefined) this.brain.delete(dep.key);
        else this.brain.set(dep.key, value);
        this.options.onChange();
      }
      const unchanged = fetched.index <= index;
      index = Math.max(fetched.index, index);
      if (unchanged && Date.now() - started < MIN_INTERVAL_MS) await sleep(MIN_INTERVAL_MS, signal);
    }
  }
}

/** Nomad's API client error text (`Unexpected response code: 403 (Permission denied)`). */
function describe(error: Error): string {
  if (error instanceof ApiError) return `Unexpected response code: ${error.status} (${error.body.trim()})`;
  return error.message;
}
