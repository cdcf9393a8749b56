import type { AgentFacts } from '../services/agent-self';
import { addressText, NOMAD_VERSION, SERVER_DATACENTER, SERVER_NAME } from '../services/server-identity';

/**
 * `/v1/agent/self` and `/v1/agent/members` of the one logical server: Nomad's shapes, filled
 * with what is true of a serverless control plane (a server, no client, always the leader, the
 * only member).
 */
export function agentMember(facts: AgentFacts) {
  const { address, region } = facts;
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
      id: facts.serverId,
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

/** Nomad's ServerMembers. */
export function agentMembers(facts: AgentFacts) {
  return { ServerName: SERVER_NAME, ServerRegion: facts.region, ServerDC: SERVER_DATACENTER, Members: [agentMember(facts)] };
}

/** Nomad's AgentSelf: the agent's config, its member entry and its stats. */
export function agentSelf(facts: AgentFacts) {
  const { address, runtime } = facts;
  return {
    config: {
      Region: facts.region,
      Datacenter: SERVER_DATACENTER,
      NodeName: SERVER_NAME,
      Version: { Revision: '', Version: NOMAD_VERSION, VersionPrerelease: '', VersionMetadata: '', BuildDate: '' },
      ACL: { Enabled: facts.aclEnabled },
      Server: { Enabled: true, BootstrapExpect: 1 },
      Client: { Enabled: false },
      Ports: { HTTP: address.port, RPC: address.port, Serf: address.port },
      Telemetry: { PrometheusMetrics: true },
      UI: { Enabled: false, ShowCLIHints: true },
    },
    member: agentMember(facts),
    stats: {
      nomad: { server: 'true', leader: 'true', leader_addr: addressText(address), bootstrap: 'true', known_regions: '1' },
      runtime: { arch: runtime.arch, os: runtime.os, version: runtime.version, max_procs: String(runtime.maxProcs) },
    },
  };
}
