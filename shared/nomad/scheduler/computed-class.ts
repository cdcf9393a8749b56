import { createHash } from 'node:crypto';
import { stableStringify } from '../../util/stable-json';
import type { Node } from '../structs/node';

/**
 * A node's computed class (Nomad's `ComputedClass`, `v1:<number>`): a hash of everything that
 * decides feasibility apart from `unique.*` attributes, so that nodes of one class are checked
 * once per evaluation and blocked evaluations know which new nodes could help them. Drivers
 * are included because our driver check reads them directly. Pure.
 */
function withoutUnique(map: Record<string, string> | null | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).filter(([key]) => !key.startsWith('unique.')));
}

export function computedClass(node: Pick<Node, 'Datacenter' | 'NodeClass' | 'NodePool' | 'Attributes' | 'Meta' | 'Drivers'>): string {
  const drivers = Object.entries(node.Drivers ?? {})
    .filter(([, info]) => info?.Detected && info?.Healthy)
    .map(([name]) => name)
    .sort();
  const digest = createHash('sha256')
    .update(
      stableStringify({
        Datacenter: node.Datacenter,
        NodeClass: node.NodeClass ?? '',
        NodePool: node.NodePool || 'default',
        Attributes: withoutUnique(node.Attributes),
        Meta: withoutUnique(node.Meta),
        Drivers: drivers,
      }),
    )
    .digest();
  return `v1:${digest.readBigUInt64BE(0).toString()}`;
}
