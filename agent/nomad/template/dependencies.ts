import type { GoFunc } from '../../common/go-template/execute';
import { NomadVarMeta, type NomadService, type NomadServicesSnippet, type NomadVarItems } from './nomad-values';

/**
 * The data a template reads from Nomad, as consul-template tracks it: each function call names a
 * dependency (`nomad.var.block(path@ns.region)`, `nomad.var.list(prefix@ns.region)`,
 * `nomad.service(tag.name)`, `nomad.services`); a render records the ones it used and the ones
 * not yet known (missing), and takes values from the "brain" the watcher fills. A template with a
 * missing dependency is not written. Consul and Vault functions fail the render: this client has
 * neither. Pure.
 */
export type Dependency =
  | { kind: 'var'; key: string; path: string; namespace: string; region: string; block: boolean }
  | { kind: 'var-list'; key: string; prefix: string; namespace: string; region: string }
  | { kind: 'service'; key: string; name: string; tag: string; namespace: string; region: string }
  | { kind: 'services'; key: string; namespace: string; region: string };

/** Values the watcher has fetched, by dependency key; a variable that does not exist is `null`. */
export type Brain = Map<string, unknown>;

export interface RenderDeps {
  used: Map<string, Dependency>;
  missing: Map<string, Dependency>;
}

const VAR_PATH = /^(?<path>[\w\-~/]+)(?:@(?<namespace>[\w-]+))?(?:\.(?<region>[\w-]+))?$/;
const SERVICE = /^(?:(?<tag>[\w-]+)\.)?(?<name>[\w-]+)(?:@(?<region>[\w-]+))?$/;

const CONSUL_FUNCS = ['key', 'keyExists', 'keyOrDefault', 'ls', 'safeLs', 'tree', 'safeTree', 'service', 'services', 'connect', 'node', 'nodes', 'datacenters', 'caRoots', 'caLeaf', 'partitions', 'peerings', 'exportedServices', 'importedServices'];
const VAULT_FUNCS = ['secret', 'secrets', 'pkiCert'];

function varQuery(defaultNamespace: string, text: string, fn: string): { path: string; namespace: string; region: string } {
  const trimmed = text.trim().replace(/^\/+|\/+$/g, '');
  const match = trimmed === '' ? { groups: { path: '' } } : VAR_PATH.exec(trimmed);
  if (!match) throw new Error(`${fn}: invalid format: ${JSON.stringify(trimmed)}`);
  const groups = match.groups as { path: string; namespace?: string; region?: string };
  return { path: groups.path, namespace: groups.namespace || defaultNamespace || 'default', region: groups.region || 'global' };
}

/** The template functions that read Nomad, for one render against `brain`. */
export function nomadFuncs(brain: Brain, deps: RenderDeps, namespace: string): Record<string, GoFunc> {
  const use = (dep: Dependency): { known: boolean; value: unknown } => {
    deps.used.set(dep.key, dep);
    if (brain.has(dep.key)) return { known: true, value: brain.get(dep.key) };
    deps.missing.set(dep.key, dep);
    return { known: false, value: undefined };
  };
  const variable = (text: unknown, block: boolean) => {
    const { path, namespace: ns, region } = varQuery(namespace, String(text), 'nomad.var.get');
    const at = `${path}@${ns}.${region}`;
    return use({ kind: 'var', key: block ? `nomad.var.block(${at})` : `nomad.var.get(${at})`, path, namespace: ns, region, block });
  };
  const variableList = (safe: boolean) => (...args: unknown[]) => {
    if (args.length > 1) throw new Error(`nomadVarList takes either a single "prefix" parameter or none for all available variables; got: [${args.join(' ')}]`);
    const { path: prefix, namespace: ns, region } = varQuery(namespace, String(args[0] ?? ''), 'nomad.var.list');
    const dep: Dependency = { kind: 'var-list', key: `nomad.var.list(${prefix}@${ns}.${region})`, prefix, namespace: ns, region };
    const { known, value } = use(dep);
    const list = (value as NomadVarMeta[] | undefined) ?? [];
    // nomadVarListSafe waits until at least one variable matches.
    if (known && safe && list.length === 0) deps.missing.set(dep.key, dep);
    return [...list];
  };
  const funcs: Record<string, GoFunc> = {
    nomadVar: (text) => {
      if (String(text) === '') return null;
      const { value } = variable(text, true);
      return (value as NomadVarItems | null | undefined) ?? null;
    },
    nomadVarExists: (text) => {
      if (String(text) === '') return false;
      const { value } = variable(text, false);
      return value !== null && value !== undefined;
    },
    nomadVarList: variableList(false),
    nomadVarListSafe: variableList(true),
    nomadService: (...args) => {
      if (args.length !== 1 && args.length !== 3) throw new Error('expected arguments <service> or <count> <key> <service>');
      const text = String(args[args.length - 1]);
      const match = SERVICE.exec(text);
      if (!match) throw new Error(`nomad.service: invalid format: ${JSON.stringify(text)}`);
      const { tag = '', name, region = '' } = match.groups as { tag?: string; name: string; region?: string };
      const { value } = use({ kind: 'service', key: `nomad.service(${tag ? `${tag}.` : ''}${name}${region ? `@${region}` : ''})`, name, tag, namespace, region });
      const services = (value as NomadService[] | undefined) ?? [];
      if (args.length === 3) return chooseServices(services, Number(args[0]), String(args[1]));
      return services;
    },
    nomadServices: (...args) => {
      const region = args.join('').replace(/^@/, '');
      const { value } = use({ kind: 'services', key: region ? `nomad.services(@${region})` : 'nomad.services', namespace, region });
      return (value as NomadServicesSnippet[] | undefined) ?? [];
    },
  };
  for (const name of CONSUL_FUNCS) {
    funcs[name] = () => {
      throw new Error('Consul is not available to this Nomad client; only Nomad-native template functions (nomadVar, nomadVarList, nomadService, nomadServices) can be rendered');
    };
  }
  for (const name of VAULT_FUNCS) {
    funcs[name] = () => {
      throw new Error('Vault is not available to this Nomad client; only Nomad-native template functions (nomadVar, nomadVarList, nomadService, nomadServices) can be rendered');
    };
  }
  return funcs;
}

/** `nomadService count key name`: a stable choice of `count` instances for `key` (rendezvous hashing). */
function chooseServices(services: NomadService[], count: number, key: string): NomadService[] {
  const score = (service: NomadService) => {
    let hash = 2166136261;
    for (const ch of `${key}${service.ID}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
    return hash;
  };
  return [...services].sort((a, b) => score(b) - score(a)).slice(0, count);
}

export { NomadVarMeta };
