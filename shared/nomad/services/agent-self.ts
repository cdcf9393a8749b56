import { arch, cpus, platform } from 'node:os';
import { config } from '../../config';
import { serverId, type ServerAddress } from './server-identity';

/**
 * What `/v1/agent/self` and `/v1/agent/members` tell of the one logical server (rendered by
 * wire/agent-self.ts): its address as the caller reached it, region, ACL setting, ID, and the
 * runtime it runs on, with Go's names for the architecture.
 */
const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };

export interface AgentFacts {
  address: ServerAddress;
  region: string;
  aclEnabled: boolean;
  serverId: string;
  runtime: { arch: string; os: string; version: string; maxProcs: number };
}

export function agentFacts(address: ServerAddress): AgentFacts {
  const settings = config();
  return {
    address,
    region: settings.region,
    aclEnabled: settings.aclEnabled,
    serverId: serverId(),
    runtime: { arch: GO_ARCH[arch()] ?? arch(), os: platform(), version: process.version, maxProcs: cpus().length },
  };
}
