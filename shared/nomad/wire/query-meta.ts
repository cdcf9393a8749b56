/**
 * The meta Nomad's responses carry in their bodies. A read's QueryMeta comes from the leader
 * (KnownLeader true); a write answers with a QueryMeta the server never fills but the index
 * (KnownLeader false), and WriteMeta is the index alone.
 */
export function readQueryMeta(index: number) {
  return { Index: index, LastContact: 0, KnownLeader: true, NextToken: '' };
}

export function writeQueryMeta(index: number) {
  return { Index: index, LastContact: 0, KnownLeader: false, NextToken: '' };
}

export function writeMeta(index: number) {
  return { Index: index };
}
