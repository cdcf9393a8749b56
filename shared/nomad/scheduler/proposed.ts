import type { Node } from '../structs/node';
import { resolveTarget } from './constraints';

/**
 * The job's allocations as they would be if the plan so far committed (Nomad's "proposed
 * allocations": live ones, minus this plan's stops, plus its placements). Job anti-affinity,
 * distinct_hosts, distinct_property and spread all count against it. Pure.
 */
export interface ProposedEntry {
  node: Node;
  group: string;
}

/** Counts of proposed allocations per value of a node property, for one group or the whole job. */
export class PropertyCounts {
  readonly counts = new Map<string, number>();

  constructor(
    readonly attribute: string,
    /** Only count this group; undefined counts the whole job. */
    readonly group: string | undefined,
  ) {}

  valueOf(node: Node): string | undefined {
    const target = this.attribute.startsWith('${') ? this.attribute : `\${${this.attribute}}`;
    const resolved = resolveTarget(target, node);
    return resolved.found ? resolved.value : undefined;
  }

  change(entry: ProposedEntry, delta: number): void {
    if (this.group !== undefined && entry.group !== this.group) return;
    const value = this.valueOf(entry.node);
    if (value === undefined) return;
    const next = (this.counts.get(value) ?? 0) + delta;
    if (next > 0) this.counts.set(value, next);
    else this.counts.delete(value);
  }

  count(node: Node): number {
    const value = this.valueOf(node);
    return value === undefined ? 0 : (this.counts.get(value) ?? 0);
  }
}

export class ProposedAllocs {
  private readonly entries: ProposedEntry[] = [];
  private readonly perNode = new Map<string, number>();
  private readonly perNodeGroup = new Map<string, Map<string, number>>();
  private readonly properties = new Map<string, PropertyCounts>();

  add(entry: ProposedEntry): void {
    this.change(entry, 1);
    this.entries.push(entry);
  }

  remove(entry: ProposedEntry): void {
    this.change(entry, -1);
    const at = this.entries.findIndex((other) => other.node.ID === entry.node.ID && other.group === entry.group);
    if (at >= 0) this.entries.splice(at, 1);
  }

  private change(entry: ProposedEntry, delta: number): void {
    this.perNode.set(entry.node.ID, (this.perNode.get(entry.node.ID) ?? 0) + delta);
    let groups = this.perNodeGroup.get(entry.group);
    if (!groups) this.perNodeGroup.set(entry.group, (groups = new Map()));
    groups.set(entry.node.ID, (groups.get(entry.node.ID) ?? 0) + delta);
    for (const property of this.properties.values()) property.change(entry, delta);
  }

  onNode(nodeId: string, group?: string): number {
    if (group === undefined) return this.perNode.get(nodeId) ?? 0;
    return this.perNodeGroup.get(group)?.get(nodeId) ?? 0;
  }

  /** Counts per value of `attribute`, built on first use and kept current afterwards. */
  property(attribute: string, group: string | undefined): PropertyCounts {
    const key = `${group ?? ''}\0${attribute}`;
    let counts = this.properties.get(key);
    if (!counts) {
      counts = new PropertyCounts(attribute, group);
      for (const entry of this.entries) counts.change(entry, 1);
      this.properties.set(key, counts);
    }
    return counts;
  }
}
