import { arch, cpus, platform } from 'node:os';
import { config } from '../../config';
import { addressText, NOMAD_VERSION, SERVER_DATACENTER, SERVER_NAME, serverId, type ServerAddress } from './server-identity';

/**
 * `/v1/agent/self` and `/v1/agent/members` of the one logical server: Nomad's shapes, filled
 * with what is true of a serverless control plane (a server, no client, always the leader, the
 * only member).
 */
const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };

export function serverMember(address: ServerAddress) {
  const region = config().region;
  return {
    Name: `${SERVER_NAME}.${region}`,
    Addr: address.host,
    Port: address.port,
    Tags: {
      role: 'nomad',
      region,
      dc: SERVER_DATACENTER,
      build: NOMAD_VERSION,
      vsn: '1',
      raft_vsn: '3',
      id: serverId(),
      rpc_addr: address.host,
      port: String(address.port),
      bootstrap: '1',
    },
    Status: 'alive',
    ProtocolMin: 1,
    ProtocolMax: 5,
    ProtocolCur: 2,
    DelegateMin: 2,
    DelegateMax: 5,
    DelegateCur: 4,
  };
}

export function serverMembers(address: ServerAddress) {
  return { ServerName: SERVER_NAME, ServerRegion: config().region, ServerDC: SERVER_DATACENTER, Members: [serverMember(address)] };
}

export function agentSelf(address: ServerAddress) {
  const settings = config();
  return {
    config: {
      Region: settings.region,
      Datacenter: SERVER_DATACENTER,
      NodeName: SERVER_NAME,
      Version: { Revision: '', Version: NOMAD_VERSION, VersionPrerelease: '', VersionMetadata: '', BuildDate: '' },
      ACL: { Enabled: settings.aclEnabled },
      Server: { Enabled: true, BootstrapExpect: 1 },
      Client: { Enabled: false },
      Ports: { HTTP: address.port, RPC: address.port, Serf: address.port },
      Telemetry: { PrometheusMetrics: true },
      UI: { Enabled: false, ShowCLIHints: true },
    },
    member: serverMember(address),
    stats: {
      nomad: { server: 'true', leader: 'true', leader_addr: addressText(address), bootstrap: 'true', known_regions: '1' },
      runtime: { arch: GO_ARCH[arch()] ?? arch(), os: platform(), version: process.version, max_procs: String(cpus().length) },
    },
  };
}
