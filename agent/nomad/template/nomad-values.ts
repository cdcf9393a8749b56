import { ZERO_VALUE } from '../../common/go-template/execute';

/**
 * What Nomad's template functions hand a template, shaped as consul-template's Go types so the
 * templates written for Nomad work unchanged: `nomadVar` gives NomadVarItems (a map of items that
 * print as their value, with `Keys`, `Values`, `Tuples`, `Metadata`, `Parent`, `ItemsMap`),
 * `nomadVarList` NomadVarMeta values (printing as their path), `nomadService` NomadService
 * structs and `nomadServices` their name-and-tags snippets. Built from Nomad's wire format. Pure.
 */

/** Nomad's variable metadata and a read variable, as `GET /v1/vars` and `GET /v1/var/:path` answer. */
export interface WireVariableMeta {
  Namespace: string;
  Path: string;
  CreateIndex: number;
  ModifyIndex: number;
  CreateTime: number;
  ModifyTime: number;
}

export interface WireVariable extends WireVariableMeta {
  Items: Record<string, string>;
}

/** A unix-nanosecond time that prints as Go's time.Time does (in UTC). */
export class NanoTime {
  constructor(private readonly nanos: number) {}

  String(): string {
    // Nanosecond times pass through JSON as doubles, exact to well under a microsecond.
    const seconds = Math.floor(this.nanos / 1e9);
    const micros = Math.round((this.nanos - seconds * 1e9) / 1e3);
    const date = new Date(seconds * 1000);
    const fraction = String(micros).padStart(6, '0').replace(/0+$/, '');
    return `${date.toISOString().slice(0, 19).replace('T', ' ')}${fraction ? `.${fraction}` : ''} +0000 UTC`;
  }

  MarshalJSON(): string {
    return String(this.nanos);
  }
}

export class NomadVarMeta {
  static readonly goType = 'dependency.NomadVarMeta';
  readonly CreateTime: NanoTime;
  readonly ModifyTime: NanoTime;
  readonly Namespace: string;
  readonly Path: string;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;

  constructor(meta: WireVariableMeta) {
    this.Namespace = meta.Namespace;
    this.Path = meta.Path;
    this.CreateIndex = meta.CreateIndex;
    this.ModifyIndex = meta.ModifyIndex;
    this.CreateTime = new NanoTime(meta.CreateTime);
    this.ModifyTime = new NanoTime(meta.ModifyTime);
  }

  String(): string {
    return this.Path;
  }
}

export class NomadVarItem {
  static readonly goType = 'dependency.NomadVarItem';
  declare private readonly parent: NomadVariable | undefined;

  constructor(
    readonly Key: string,
    readonly Value: string,
    parent?: NomadVariable,
  ) {
    Object.defineProperty(this, 'parent', { value: parent, enumerable: false });
  }

  String(): string {
    return this.Value;
  }

  Metadata(): NomadVarMeta | undefined {
    return this.parent?.Metadata();
  }

  Parent(): NomadVariable | undefined {
    return this.parent;
  }

  MarshalJSON(): string {
    return JSON.stringify(this.Value);
  }
}

export class NomadVarItems extends Map<string, NomadVarItem> {
  static readonly goType = 'dependency.NomadVarItems';
  // A missing key gives Go's zero NomadVarItem, which prints as "".
  [ZERO_VALUE] = () => new NomadVarItem('', '');

  Keys(): string[] {
    return [...this.keys()].sort();
  }

  Values(): string[] {
    return this.Keys().map((key) => this.get(key)!.Value);
  }

  Tuples(): { K: string; V: string }[] {
    return this.Keys().map((key) => ({ K: key, V: this.get(key)!.Value }));
  }

  Metadata(): NomadVarMeta | undefined {
    return this.Parent()?.Metadata();
  }

  Parent(): NomadVariable | undefined {
    return this.values().next().value?.Parent();
  }

  ItemsMap(): Record<string, string> | null {
    return this.size === 0 ? null : Object.fromEntries([...this].map(([key, item]) => [key, item.Value]));
  }
}

export class NomadVariable {
  static readonly goType = 'dependency.NomadVariable';
  readonly Namespace: string;
  readonly Path: string;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
  readonly CreateTime: NanoTime;
  readonly ModifyTime: NanoTime;
  readonly Items: NomadVarItems;

  constructor(private readonly wire: WireVariable) {
    Object.defineProperty(this, 'wire', { enumerable: false });
    this.Namespace = wire.Namespace;
    this.Path = wire.Path;
    this.CreateIndex = wire.CreateIndex;
    this.ModifyIndex = wire.ModifyIndex;
    this.CreateTime = new NanoTime(wire.CreateTime);
    this.ModifyTime = new NanoTime(wire.ModifyTime);
    this.Items = new NomadVarItems(Object.entries(wire.Items ?? {}).map(([key, value]) => [key, new NomadVarItem(key, value, this)]));
  }

  Metadata(): NomadVarMeta {
    return new NomadVarMeta(this.wire);
  }
}

export interface NomadService {
  ID: string;
  Name: string;
  Node: string;
  Address: string;
  Port: number;
  Datacenter: string;
  Tags: string[];
  JobID: string;
  AllocID: string;
}

export interface NomadServicesSnippet {
  Name: string;
  Tags: string[];
}

/** Nomad's service registration as `GET /v1/service/:name` answers it. */
export interface WireServiceRegistration {
  ID: string;
  ServiceName: string;
  NodeID: string;
  Address: string;
  Port: number;
  Datacenter: string;
  Tags: string[] | null;
  JobID: string;
  AllocID: string;
}

export function nomadService(registration: WireServiceRegistration): NomadService {
  return {
    ID: registration.ID,
    Name: registration.ServiceName,
    Node: registration.NodeID,
    Address: registration.Address,
    Port: registration.Port,
    Datacenter: registration.Datacenter,
    Tags: [...(registration.Tags ?? [])].sort(),
    JobID: registration.JobID,
    AllocID: registration.AllocID,
  };
}
