import { createHash } from 'node:crypto';
import { stableStringify } from '../../util/stable-json';
import type { Job, Service, Task, TaskGroup } from '../structs/job';

/**
 * Nomad's structured job diff (structs.Job.Diff): a Job diff holds Field diffs of its primitive
 * fields, Object diffs of its nested blocks, and Task Group diffs, which in turn hold Task diffs.
 * Primitive values are compared as Go's flatmap prints them; sets (constraints, datacenters,
 * ports…) are matched by content, groups and tasks by name. Pure.
 */
export type DiffType = 'Added' | 'Deleted' | 'Edited' | 'None';

export interface FieldDiff {
  Type: DiffType;
  Name: string;
  Old: string;
  New: string;
  Annotations: string[] | null;
}

export interface ObjectDiff {
  Type: DiffType;
  Name: string;
  Fields: FieldDiff[] | null;
  Objects: ObjectDiff[] | null;
}

export interface TaskDiff {
  Type: DiffType;
  Name: string;
  Fields: FieldDiff[] | null;
  Objects: ObjectDiff[] | null;
  Annotations: string[] | null;
}

export interface TaskGroupDiff {
  Type: DiffType;
  Name: string;
  Fields: FieldDiff[] | null;
  Objects: ObjectDiff[] | null;
  Tasks: TaskDiff[] | null;
  Updates: Record<string, number> | null;
}

export interface JobDiff {
  Type: DiffType;
  ID: string;
  Fields: FieldDiff[] | null;
  Objects: ObjectDiff[] | null;
  TaskGroups: TaskGroupDiff[] | null;
}

type Loose = Record<string, any>;
type Flat = Record<string, string>;

/** Fields whose JSON objects are Go maps, flattened as `Name[key]`; every other object is a struct, left out of a primitive flatten. */
const MAP_FIELDS = new Set(['Meta', 'Env', 'Target', 'Options', 'Headers', 'Header']);

function primitiveText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** flatmap.Flatten(obj, filter, primitiveOnly=true): top-level primitives and maps of primitives. */
function flattenPrimitive(object: Loose | null | undefined, filter: string[] = []): Flat | undefined {
  if (!object) return undefined;
  const flat: Flat = {};
  for (const [key, value] of Object.entries(object)) {
    if (filter.includes(key)) continue;
    const text = primitiveText(value);
    if (text !== undefined) flat[key] = text;
    else if (MAP_FIELDS.has(key) && value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [name, inner] of Object.entries(value)) {
        const innerText = primitiveText(inner);
        if (innerText !== undefined) flat[`${key}[${name}]`] = innerText;
      }
    }
  }
  return flat;
}

/** flatmap.Flatten(obj, nil, primitiveOnly=false): everything, nested keys as `a[b]`, list items as `a[0]`. */
function flattenAll(value: unknown, prefix = '', flat: Flat = {}): Flat {
  const text = primitiveText(value);
  if (text !== undefined) flat[prefix] = text;
  else if (value === null || value === undefined) flat[prefix] = 'nil';
  else if (Array.isArray(value)) value.forEach((item, i) => flattenAll(item, `${prefix}[${i}]`, flat));
  else for (const [key, inner] of Object.entries(value as Loose)) flattenAll(inner, prefix ? `${prefix}[${key}]` : key, flat);
  return flat;
}

function fieldDiff(oldValue: string, newValue: string, name: string, contextual: boolean): FieldDiff | undefined {
  if (oldValue === newValue) return contextual ? { Type: 'None', Name: name, Old: oldValue, New: newValue, Annotations: null } : undefined;
  const type: DiffType = oldValue === '' ? 'Added' : newValue === '' ? 'Deleted' : 'Edited';
  return {
    Type: type,
    Name: name,
    Old: type === 'Added' ? '' : oldValue,
    New: type === 'Deleted' ? '' : newValue,
    Annotations: null,
  };
}

function compareFields(a: FieldDiff, b: FieldDiff): number {
  if (a.Name !== b.Name) return a.Name < b.Name ? -1 : 1;
  if (a.Old !== b.Old) return a.Old < b.Old ? -1 : 1;
  return a.New < b.New ? -1 : a.New > b.New ? 1 : 0;
}

function fieldDiffs(oldFlat: Flat | undefined, newFlat: Flat | undefined, contextual: boolean): FieldDiff[] {
  const diffs: FieldDiff[] = [];
  const older = oldFlat ?? {};
  const newer = newFlat ?? {};
  for (const key of new Set([...Object.keys(older), ...Object.keys(newer)])) {
    const diff = fieldDiff(older[key] ?? '', newer[key] ?? '', key, contextual);
    if (diff) diffs.push(diff);
  }
  return diffs.sort(compareFields);
}

const TYPE_ORDER: Record<DiffType, number> = { Edited: 0, Added: 1, Deleted: 2, None: 3 };

function compareObjects(a: ObjectDiff, b: ObjectDiff): number {
  if (a.Name !== b.Name) return a.Name < b.Name ? -1 : 1;
  if (a.Type !== b.Type) return TYPE_ORDER[a.Type] - TYPE_ORDER[b.Type];
  const fields = (a.Fields?.length ?? 0) - (b.Fields?.length ?? 0);
  if (fields !== 0) return fields;
  const objects = (a.Objects?.length ?? 0) - (b.Objects?.length ?? 0);
  if (objects !== 0) return objects;
  for (let i = 0; i < (a.Fields?.length ?? 0); i++) {
    const order = compareFields(a.Fields![i], b.Fields![i]);
    if (order !== 0) return order;
  }
  return 0;
}

function sortObjects(diffs: ObjectDiff[]): ObjectDiff[] {
  return diffs.sort(compareObjects);
}

function typeFromFields(fields: FieldDiff[]): DiffType | undefined {
  if (fields.some((field) => field.Type === 'Edited')) return 'Edited';
  const added = fields.some((field) => field.Type === 'Added');
  const deleted = fields.some((field) => field.Type === 'Deleted');
  if (added && deleted) return 'Edited';
  if (added) return 'Added';
  if (deleted) return 'Deleted';
  return undefined;
}

/** primitiveObjectDiff: the primitive fields of one nested object, or nothing if they did not change. */
function primitiveObjectDiff(oldObject: Loose | null | undefined, newObject: Loose | null | undefined, filter: string[] | undefined, name: string, contextual: boolean): ObjectDiff | undefined {
  const fields = fieldDiffs(flattenPrimitive(oldObject, filter), flattenPrimitive(newObject, filter), contextual);
  const type = typeFromFields(fields);
  return type ? { Type: type, Name: name, Fields: fields, Objects: null } : undefined;
}

function contentKey(value: unknown): string {
  return createHash('sha1').update(stableStringify(value)).digest('hex');
}

/** primitiveObjectSetDiff: set members matched by content; changed members show as deleted + added. */
function primitiveObjectSetDiff(oldItems: Loose[] | null | undefined, newItems: Loose[] | null | undefined, filter: string[] | undefined, name: string, contextual: boolean): ObjectDiff[] {
  const oldSet = new Map((oldItems ?? []).map((item) => [contentKey(item), item]));
  const newSet = new Map((newItems ?? []).map((item) => [contentKey(item), item]));
  const diffs: ObjectDiff[] = [];
  for (const [key, item] of oldSet) {
    const diff = primitiveObjectDiff(item, newSet.get(key), filter, name, contextual);
    if (diff) diffs.push(diff);
  }
  for (const [key, item] of newSet) {
    if (oldSet.has(key)) continue;
    const diff = primitiveObjectDiff(undefined, item, filter, name, contextual);
    if (diff) diffs.push(diff);
  }
  return sortObjects(diffs);
}

function stringSetDiff(oldItems: string[] | null | undefined, newItems: string[] | null | undefined, name: string, contextual: boolean): ObjectDiff | undefined {
  const older = new Set(oldItems ?? []);
  const newer = new Set(newItems ?? []);
  const fields: FieldDiff[] = [];
  let added = false;
  let removed = false;
  for (const item of older) {
    if (!newer.has(item)) {
      fields.push(fieldDiff(item, '', name, contextual)!);
      removed = true;
    } else if (contextual) fields.push(fieldDiff(item, item, name, contextual)!);
  }
  for (const item of newer) {
    if (!older.has(item)) {
      fields.push(fieldDiff('', item, name, contextual)!);
      added = true;
    }
  }
  fields.sort(compareFields);
  const type: DiffType | undefined = added && removed ? 'Edited' : added ? 'Added' : removed ? 'Deleted' : fields.length ? 'None' : undefined;
  return type ? { Type: type, Name: name, Fields: fields, Objects: null } : undefined;
}

/** A whole nested value flattened (task Config, scaling Policy), as Nomad's configDiff. */
function flatObjectDiff(oldValue: Loose | null | undefined, newValue: Loose | null | undefined, name: string, contextual: boolean): ObjectDiff | undefined {
  if (stableStringify(oldValue ?? null) === stableStringify(newValue ?? null)) return undefined;
  const type: DiffType = !oldValue || Object.keys(oldValue).length === 0 ? 'Added' : !newValue || Object.keys(newValue).length === 0 ? 'Deleted' : 'Edited';
  const fields = fieldDiffs(oldValue ? flattenAll(oldValue) : undefined, newValue ? flattenAll(newValue) : undefined, contextual);
  return { Type: type, Name: name, Fields: fields, Objects: null };
}

/** An object with its own primitive fields and nested object diffs (services, networks, resources…). */
function objectDiff(oldObject: Loose | null | undefined, newObject: Loose | null | undefined, name: string, filter: string[], contextual: boolean, nested: (o: Loose, n: Loose) => (ObjectDiff | undefined)[]): ObjectDiff | undefined {
  if (stableStringify(oldObject ?? null) === stableStringify(newObject ?? null)) return undefined;
  const type: DiffType = !oldObject ? 'Added' : !newObject ? 'Deleted' : 'Edited';
  const fields = fieldDiffs(flattenPrimitive(oldObject, filter), flattenPrimitive(newObject, filter), contextual);
  const objects = nested(oldObject ?? {}, newObject ?? {}).filter((diff): diff is ObjectDiff => !!diff);
  return { Type: type, Name: name, Fields: fields, Objects: objects.length ? sortObjects(objects) : null };
}

function portDiffs(oldPorts: Loose[] | null, newPorts: Loose[] | null, dynamic: boolean, contextual: boolean): ObjectDiff[] {
  const byLabel = (ports: Loose[] | null) => new Map((ports ?? []).map((port) => [port.Label as string, port]));
  const older = byLabel(oldPorts);
  const newer = byLabel(newPorts);
  const filter = dynamic ? ['Value'] : undefined;
  const name = dynamic ? 'Dynamic Port' : 'Static Port';
  const diffs: ObjectDiff[] = [];
  for (const label of new Set([...older.keys(), ...newer.keys()])) {
    const diff = primitiveObjectDiff(older.get(label), newer.get(label), filter, name, contextual);
    if (diff) diffs.push(diff);
  }
  return sortObjects(diffs);
}

function networkDiffs(oldNetworks: Loose[] | null | undefined, newNetworks: Loose[] | null | undefined, contextual: boolean): ObjectDiff[] {
  const oldSet = new Map((oldNetworks ?? []).map((network) => [contentKey(network), network]));
  const newSet = new Map((newNetworks ?? []).map((network) => [contentKey(network), network]));
  const diffs: ObjectDiff[] = [];
  const network = (o: Loose | undefined, n: Loose | undefined) =>
    objectDiff(o, n, 'Network', ['Device', 'CIDR', 'IP'], contextual, (a, b) => [
      ...portDiffs(a.ReservedPorts ?? null, b.ReservedPorts ?? null, false, contextual),
      ...portDiffs(a.DynamicPorts ?? null, b.DynamicPorts ?? null, true, contextual),
    ]);
  for (const [key, value] of oldSet) if (!newSet.has(key)) diffs.push(network(value, undefined)!);
  for (const [key, value] of newSet) if (!oldSet.has(key)) diffs.push(network(undefined, value)!);
  return sortObjects(diffs);
}

function checkDiffs(oldChecks: Loose[] | null | undefined, newChecks: Loose[] | null | undefined, contextual: boolean): ObjectDiff[] {
  const byName = (checks: Loose[] | null | undefined) => new Map((checks ?? []).map((check) => [check.Name as string, check]));
  const older = byName(oldChecks);
  const newer = byName(newChecks);
  const diffs: ObjectDiff[] = [];
  for (const name of new Set([...older.keys(), ...newer.keys()])) {
    const diff = objectDiff(older.get(name), newer.get(name), 'Check', [], contextual, (a, b) => [
      flatObjectDiff(a.Header, b.Header, 'Header', contextual),
      primitiveObjectDiff(a.CheckRestart, b.CheckRestart, undefined, 'CheckRestart', contextual),
    ]);
    if (diff) diffs.push(diff);
  }
  return sortObjects(diffs);
}

function serviceDiff(oldService: Loose | undefined, newService: Loose | undefined, contextual: boolean): ObjectDiff | undefined {
  return objectDiff(oldService, newService, 'Service', [], contextual, (a, b) => [
    stringSetDiff(a.CanaryTags, b.CanaryTags, 'CanaryTags', contextual),
    stringSetDiff(a.Tags, b.Tags, 'Tags', contextual),
    ...checkDiffs(a.Checks, b.Checks, contextual),
  ]);
}

/** Services have no identity: they are paired by name, port label and position, as Nomad's findServiceMatch does. */
function serviceDiffs(oldServices: Service[] | null | undefined, newServices: Service[] | null | undefined, contextual: boolean): ObjectDiff[] {
  const older = oldServices ?? [];
  const newer = newServices ?? [];
  const matched = new Array<number>(newer.length).fill(-1);
  const diffs: ObjectDiff[] = [];
  older.forEach((service, oldIndex) => {
    let best = -1;
    let bestScore = 0;
    newer.forEach((candidate, i) => {
      if (matched[i] >= 0) return;
      const score = (i === oldIndex ? 1 : 0) + (service.PortLabel === candidate.PortLabel ? 2 : 0) + (service.Name === candidate.Name ? 3 : 0);
      if (score > 2 && score > bestScore) {
        bestScore = score;
        best = i;
      }
    });
    if (best < 0) {
      diffs.push(serviceDiff(service, undefined, contextual)!);
      return;
    }
    matched[best] = oldIndex;
    const diff = serviceDiff(service, newer[best], contextual);
    if (diff) diffs.push(diff);
  });
  newer.forEach((service, i) => {
    if (matched[i] < 0) diffs.push(serviceDiff(undefined, service, contextual)!);
  });
  return sortObjects(diffs);
}

function volumeDiffs(oldVolumes: Loose | null | undefined, newVolumes: Loose | null | undefined, contextual: boolean): ObjectDiff[] {
  const diffs: ObjectDiff[] = [];
  for (const name of new Set([...Object.keys(oldVolumes ?? {}), ...Object.keys(newVolumes ?? {})])) {
    const diff = objectDiff(oldVolumes?.[name], newVolumes?.[name], 'Volume', [], contextual, (a, b) => [
      primitiveObjectDiff(a.MountOptions, b.MountOptions, undefined, 'MountOptions', contextual),
    ]);
    if (diff) diffs.push(diff);
  }
  return sortObjects(diffs);
}

function resourcesDiff(oldResources: Loose | null | undefined, newResources: Loose | null | undefined, contextual: boolean): ObjectDiff | undefined {
  return objectDiff(oldResources, newResources, 'Resources', [], contextual, (a, b) => [
    ...networkDiffs(a.Networks, b.Networks, contextual),
    ...primitiveObjectSetDiff(a.Devices, b.Devices, undefined, 'Device', contextual),
  ]);
}

function finish<T extends { Type: DiffType; Fields: FieldDiff[] | null; Objects: ObjectDiff[] | null }>(diff: T, nested: { Type: DiffType }[] = []): T {
  if (diff.Type === 'None' && [...(diff.Fields ?? []), ...(diff.Objects ?? []), ...nested].some((part) => part.Type !== 'None')) diff.Type = 'Edited';
  if (diff.Fields && diff.Fields.length === 0) diff.Fields = null;
  if (diff.Objects && diff.Objects.length === 0) diff.Objects = null;
  return diff;
}

function taskDiff(oldTask: Task | undefined, newTask: Task | undefined, contextual = false): TaskDiff {
  const type: DiffType = !oldTask ? 'Added' : !newTask ? 'Deleted' : stableStringify(oldTask) === stableStringify(newTask) ? 'None' : 'Edited';
  const a: Loose = oldTask ?? {};
  const b: Loose = newTask ?? {};
  const objects = [
    ...primitiveObjectSetDiff(a.Constraints, b.Constraints, ['str'], 'Constraint', contextual),
    ...primitiveObjectSetDiff(a.Affinities, b.Affinities, ['str'], 'Affinity', contextual),
    flatObjectDiff(a.Config, b.Config, 'Config', contextual),
    resourcesDiff(a.Resources, b.Resources, contextual),
    primitiveObjectDiff(a.LogConfig, b.LogConfig, undefined, 'LogConfig', contextual),
    primitiveObjectDiff(a.DispatchPayload, b.DispatchPayload, undefined, 'DispatchPayload', contextual),
    ...primitiveObjectSetDiff(a.Artifacts, b.Artifacts, undefined, 'Artifact', contextual),
    ...serviceDiffs(a.Services, b.Services, contextual),
    primitiveObjectDiff(a.Vault, b.Vault, undefined, 'Vault', contextual),
    ...primitiveObjectSetDiff(a.Templates, b.Templates, undefined, 'Template', contextual),
    primitiveObjectDiff(a.Identity, b.Identity, undefined, 'Identity', contextual),
  ].filter((diff): diff is ObjectDiff => !!diff);
  return finish({
    Type: type,
    Name: (newTask ?? oldTask)!.Name,
    Fields: fieldDiffs(oldTask && flattenPrimitive(a, ['Name', 'Config']), newTask && flattenPrimitive(b, ['Name', 'Config']), false),
    Objects: objects,
    Annotations: null,
  });
}

function byName<T extends { Name: string }>(oldItems: T[] | null | undefined, newItems: T[] | null | undefined): [T | undefined, T | undefined][] {
  const older = new Map((oldItems ?? []).map((item) => [item.Name, item]));
  const newer = new Map((newItems ?? []).map((item) => [item.Name, item]));
  return [...new Set([...older.keys(), ...newer.keys()])].sort().map((name) => [older.get(name), newer.get(name)]);
}

const GROUP_POINTER_FIELDS = ['ShutdownDelay', 'StopAfterClientDisconnect', 'MaxClientDisconnect'];

function taskGroupDiff(oldGroup: TaskGroup | undefined, newGroup: TaskGroup | undefined, contextual = false): TaskGroupDiff {
  const type: DiffType = !oldGroup ? 'Added' : !newGroup ? 'Deleted' : stableStringify(oldGroup) === stableStringify(newGroup) ? 'None' : 'Edited';
  const a: Loose = oldGroup ?? {};
  const b: Loose = newGroup ?? {};
  const oldFlat = oldGroup && flattenPrimitive(a, ['Name']);
  const newFlat = newGroup && flattenPrimitive(b, ['Name']);
  if (oldFlat && newFlat) {
    for (const field of GROUP_POINTER_FIELDS) {
      oldFlat[field] = a[field] === null || a[field] === undefined ? '' : String(a[field]);
      newFlat[field] = b[field] === null || b[field] === undefined ? '' : String(b[field]);
    }
  }
  const objects = [
    ...primitiveObjectSetDiff(a.Constraints, b.Constraints, ['str'], 'Constraint', contextual),
    ...primitiveObjectSetDiff(a.Affinities, b.Affinities, ['str'], 'Affinity', contextual),
    primitiveObjectDiff(a.RestartPolicy, b.RestartPolicy, undefined, 'RestartPolicy', contextual),
    primitiveObjectDiff(a.ReschedulePolicy, b.ReschedulePolicy, undefined, 'ReschedulePolicy', contextual),
    primitiveObjectDiff(a.EphemeralDisk, b.EphemeralDisk, undefined, 'EphemeralDisk', contextual),
    primitiveObjectDiff(a.Consul, b.Consul, undefined, 'Consul', contextual),
    primitiveObjectDiff(a.Update, b.Update, ['Stagger'], 'Update', contextual),
    ...networkDiffs(a.Networks, b.Networks, contextual),
    objectDiff(a.Scaling, b.Scaling, 'Scaling', ['CreateIndex', 'ModifyIndex', 'ID', 'Type'], contextual, (x, y) => [
      flatObjectDiff(x.Policy, y.Policy, 'Policy', contextual),
    ]),
    ...serviceDiffs(a.Services, b.Services, contextual),
    ...volumeDiffs(a.Volumes, b.Volumes, contextual),
  ].filter((diff): diff is ObjectDiff => !!diff);
  const tasks = byName(a.Tasks as Task[], b.Tasks as Task[]).map(([o, n]) => taskDiff(o, n, contextual));
  const diff = finish(
    {
      Type: type,
      Name: (newGroup ?? oldGroup)!.Name,
      Fields: fieldDiffs(oldFlat, newFlat, false),
      Objects: objects,
      Tasks: tasks.length ? tasks : null,
      Updates: null,
    },
    tasks,
  );
  return diff;
}

const JOB_FILTER = [
  'ID',
  'Status',
  'StatusDescription',
  'Version',
  'Stable',
  'CreateIndex',
  'ModifyIndex',
  'JobModifyIndex',
  'Update',
  'SubmitTime',
  'NomadTokenID',
  'VaultToken',
];

export class DiffError extends Error {}

/** The diff from `oldJob` to `newJob`; either may be missing (a job added or removed). */
export function jobDiff(oldJob: Job | undefined, newJob: Job | undefined, contextual = false): JobDiff {
  if (oldJob && newJob && oldJob.ID !== newJob.ID) {
    throw new DiffError(`can not diff jobs with different IDs: "${oldJob.ID}" and "${newJob.ID}"`);
  }
  const a: Loose = oldJob ?? {};
  const b: Loose = newJob ?? {};
  const objects = [
    stringSetDiff(a.Datacenters, b.Datacenters, 'Datacenters', contextual),
    ...primitiveObjectSetDiff(a.Constraints, b.Constraints, ['str'], 'Constraint', contextual),
    ...primitiveObjectSetDiff(a.Affinities, b.Affinities, ['str'], 'Affinity', contextual),
    primitiveObjectDiff(a.Periodic, b.Periodic, undefined, 'Periodic', contextual),
    objectDiff(a.ParameterizedJob, b.ParameterizedJob, 'ParameterizedJob', [], contextual, (x, y) => [
      stringSetDiff(x.MetaRequired, y.MetaRequired, 'MetaRequired', contextual),
      stringSetDiff(x.MetaOptional, y.MetaOptional, 'MetaOptional', contextual),
    ]),
    primitiveObjectDiff(a.Multiregion, b.Multiregion, undefined, 'Multiregion', contextual),
  ].filter((diff): diff is ObjectDiff => !!diff && diff.Type !== 'None');
  const groups = byName(a.TaskGroups as TaskGroup[], b.TaskGroups as TaskGroup[]).map(([o, n]) => taskGroupDiff(o, n, contextual));
  const diff = {
    Type: (!oldJob ? 'Added' : !newJob ? 'Deleted' : 'None') as DiffType,
    ID: (newJob ?? oldJob)?.ID ?? '',
    Fields: fieldDiffs(oldJob && flattenPrimitive(a, JOB_FILTER), newJob && flattenPrimitive(b, JOB_FILTER), false),
    Objects: objects,
    TaskGroups: groups.length ? groups : null,
  };
  return finish(diff, groups);
}
