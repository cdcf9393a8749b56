import type { Node } from '../structs/node';

/** Nomad's Node as `GET /v1/node/:id` answers it: sanitized, without the node's SecretID. */
export function nodeWire(node: Node): Node {
  const { SecretID: _secret, ...rest } = node;
  return rest as Node;
}
