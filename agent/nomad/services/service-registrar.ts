import type { Allocation } from '../../../shared/nomad/structs/allocation';
import type { Service } from '../../../shared/nomad/structs/job';
import type { ServiceSink } from '../allocrunner/alloc-runner';
import type { AllocPorts } from '../allocrunner/ports';
import { interpolate, type NodeFacts } from '../allocrunner/task-env';
import type { ControlPlane, ServiceRegistration } from '../control-plane';

/**
 * Nomad-native service discovery from the client side: the `service` blocks with
 * `provider = "nomad"` of a running task (or of the group, once its main tasks run) are
 * registered with their address and port, and removed when the task stops. IDs follow Nomad's
 * `_nomad-task-<alloc>-<task>-<service>-<port label>` (`group-<group>` in place of the task for
 * group services). Services for other providers (Consul) are not ours to register.
 */
export function registrationId(allocId: string, owner: string, serviceName: string, portLabel: string): string {
  return `_nomad-task-${allocId}-${owner}-${serviceName}-${portLabel}`;
}

export function serviceRegistrations(
  alloc: Allocation,
  services: Service[],
  ports: AllocPorts,
  env: Record<string, string>,
  node: NodeFacts & { address: string },
  task?: string,
): ServiceRegistration[] {
  const owner = task ?? `group-${alloc.TaskGroup}`;
  return services
    .filter((service) => service.Provider === 'nomad')
    .map((service) => {
      const name = interpolate(service.Name, env, node);
      const label = service.PortLabel ?? '';
      const port = ports[label];
      const numeric = /^\d+$/.test(label) ? Number(label) : 0;
      return {
        ID: registrationId(alloc.ID, owner, name, label),
        ServiceName: name,
        Namespace: alloc.Namespace,
        NodeID: node.id,
        Datacenter: node.datacenter,
        JobID: alloc.JobID,
        AllocID: alloc.ID,
        Tags: (service.Tags ?? []).map((tag) => interpolate(tag, env, node)),
        Address: service.Address ? interpolate(service.Address, env, node) : (port?.ip ?? node.address),
        Port: port?.value ?? numeric,
      };
    });
}

export class ServiceRegistrar implements ServiceSink {
  /** What is registered, by `<alloc>/<task or empty>`, so a stop knows what to remove. */
  private readonly registered = new Map<string, ServiceRegistration[]>();

  constructor(
    private readonly plane: ControlPlane,
    private readonly node: NodeFacts & { address: string },
  ) {}

  async register(alloc: Allocation, services: Service[], ports: AllocPorts, env: Record<string, string>, task?: string): Promise<void> {
    const registrations = serviceRegistrations(alloc, services, ports, env, this.node, task);
    if (registrations.length === 0) return;
    this.registered.set(`${alloc.ID}/${task ?? ''}`, registrations);
    await this.plane.services(registrations, []);
  }

  async deregister(alloc: Allocation, task?: string): Promise<void> {
    const key = `${alloc.ID}/${task ?? ''}`;
    const registrations = this.registered.get(key);
    if (!registrations) return;
    this.registered.delete(key);
    await this.plane.services([], registrations.map(({ ID, Namespace, JobID }) => ({ ID, Namespace, JobID })));
  }
}
