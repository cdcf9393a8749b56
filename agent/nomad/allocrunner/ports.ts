import { createServer } from 'node:net';
import type { Allocation } from '../../../shared/nomad/structs/allocation';
import type { TaskGroup } from '../../../shared/nomad/structs/job';

/**
 * The ports of an allocation by label. Ports the server assigned (`AllocatedResources.Shared.Ports`)
 * and static ports (`port "http" { static = 8080 }`) are used as given. A dynamic port the server
 * left unassigned is picked here from the node's dynamic range, as a free port on the node's
 * address (see the README's deliberate differences: our scheduler does not assign ports).
 */
export interface AllocPort {
  value: number;
  to: number;
  ip: string;
}

export type AllocPorts = Record<string, AllocPort>;

interface AssignedPort {
  Label: string;
  Value: number;
  To?: number;
  HostIP?: string;
}

async function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

async function pickFreePort(host: string, min: number, max: number, taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = min + Math.floor(Math.random() * (max - min + 1));
    if (!taken.has(port) && (await isFree(port, host))) return port;
  }
  throw new Error(`no free port in ${min}-${max} on ${host}`);
}

export async function resolveAllocPorts(
  alloc: Allocation,
  group: TaskGroup,
  address: string,
  range: { min: number; max: number },
  taken: Set<number>,
): Promise<AllocPorts> {
  const ports: AllocPorts = {};
  for (const port of (alloc.AllocatedResources?.Shared?.Ports ?? []) as AssignedPort[]) {
    ports[port.Label] = { value: port.Value, to: port.To ?? 0, ip: port.HostIP || address };
  }
  for (const network of group.Networks ?? []) {
    for (const port of network.ReservedPorts ?? []) ports[port.Label] ??= { value: port.Value, to: port.To ?? 0, ip: address };
    for (const port of network.DynamicPorts ?? []) {
      if (ports[port.Label]) continue;
      const value = await pickFreePort(address, range.min, range.max, taken);
      taken.add(value);
      ports[port.Label] = { value, to: port.To > 0 ? port.To : 0, ip: address };
    }
  }
  return ports;
}
