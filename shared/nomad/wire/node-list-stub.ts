import type { Node } from '../structs/node';

/** Nomad's NodeListStub; resources only with `?resources=true`, `Attributes["os.name"]` only with `?os=true`. */
export function nodeListStub(node: Node, withResources = false, withOs = false) {
  const stub: Record<string, unknown> = {
    Address: node.HTTPAddr ? node.HTTPAddr.replace(/:\d+$/, '') : '',
    ID: node.ID,
    ...(withOs ? { Attributes: { 'os.name': node.Attributes?.['os.name'] ?? '' } } : {}),
    Datacenter: node.Datacenter,
    Name: node.Name,
    NodeClass: node.NodeClass,
    NodePool: node.NodePool,
    Version: node.Attributes?.['nomad.version'] ?? '',
    Drain: Boolean(node.DrainStrategy),
    SchedulingEligibility: node.SchedulingEligibility,
    Status: node.Status,
    StatusDescription: node.StatusDescription,
    Drivers: node.Drivers,
    HostVolumes: node.HostVolumes,
    LastDrain: node.LastDrain ?? null,
    CreateIndex: node.CreateIndex,
    ModifyIndex: node.ModifyIndex,
  };
  if (withResources) {
    stub.NodeResources = node.NodeResources;
    stub.ReservedResources = node.ReservedResources;
  }
  return stub;
}
