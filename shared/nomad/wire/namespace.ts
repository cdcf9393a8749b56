import type { Namespace } from '../store/namespaces';

/** Nomad's Namespace, its fields in Nomad's order and nothing the store keeps beside them. */
export function namespaceWire(namespace: Namespace): Namespace {
  return {
    Name: namespace.Name,
    Description: namespace.Description,
    Quota: namespace.Quota,
    Capabilities: namespace.Capabilities,
    NodePoolConfiguration: namespace.NodePoolConfiguration,
    Meta: namespace.Meta,
    CreateIndex: namespace.CreateIndex,
    ModifyIndex: namespace.ModifyIndex,
  };
}
