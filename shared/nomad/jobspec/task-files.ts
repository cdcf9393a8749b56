import { posix } from 'node:path';

/**
 * A task's `template` and `artifact` blocks on the server: Nomad's API defaults
 * (`api.Template.Canonicalize`, `api.TaskArtifact.Canonicalize`) and the checks of
 * `Template.Validate` and `TaskArtifact.Validate`, with their texts. Pure.
 */
type Loose = Record<string, unknown>;

const SECOND = 1e9;

function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function canonicalTemplate(raw: unknown): unknown {
  if (!isObject(raw)) return raw;
  const changeMode = (raw.ChangeMode as string | undefined) ?? 'restart';
  const script = isObject(raw.ChangeScript)
    ? { Command: '', Timeout: 5 * SECOND, FailOnError: false, ...raw.ChangeScript, Args: raw.ChangeScript.Args ?? [] }
    : (raw.ChangeScript ?? null);
  return {
    SourcePath: '',
    DestPath: '',
    EmbeddedTmpl: '',
    Once: false,
    Splay: 5 * SECOND,
    Perms: '0644',
    Uid: null,
    Gid: null,
    LeftDelim: '{{',
    RightDelim: '}}',
    Envvars: false,
    VaultGrace: 0,
    Wait: null,
    ErrMissingKey: false,
    ...raw,
    ChangeMode: changeMode,
    ChangeSignal: typeof raw.ChangeSignal === 'string' ? raw.ChangeSignal.toUpperCase() : changeMode === 'signal' ? 'SIGHUP' : '',
    ChangeScript: script,
  };
}

export function canonicalArtifact(raw: unknown): unknown {
  if (!isObject(raw)) return raw;
  const mode = (raw.GetterMode as string | undefined) || 'any';
  const source = (raw.GetterSource as string | undefined) ?? '';
  const emptyToNull = (value: unknown) => (isObject(value) && Object.keys(value).length > 0 ? value : null);
  return {
    ...raw,
    GetterSource: source,
    GetterOptions: emptyToNull(raw.GetterOptions),
    GetterHeaders: emptyToNull(raw.GetterHeaders),
    GetterMode: mode,
    GetterInsecure: raw.GetterInsecure ?? false,
    RelativeDest: raw.RelativeDest ?? (mode === 'file' ? posix.join('local', posix.basename(source)) : 'local/'),
  };
}

/** Nomad's escapingfs.PathEscapesAllocViaRelative("task", path): the path, taken from the task directory, leaves the allocation. */
function escapesAlloc(path: string): boolean {
  const joined = posix.normalize(posix.join('/alloc/task', path));
  return joined !== '/alloc' && !joined.startsWith('/alloc/');
}

export function templateProblems(template: Loose): string[] {
  const problems: string[] = [];
  if (!template.SourcePath && !template.EmbeddedTmpl) problems.push('Must specify a source path or have an embedded template');
  if (!template.DestPath) problems.push('Must specify a destination for the template');
  if (escapesAlloc(String(template.DestPath ?? ''))) problems.push('destination escapes allocation directory');
  switch (template.ChangeMode) {
    case 'noop':
    case 'restart':
      break;
    case 'signal':
      if (!template.ChangeSignal) problems.push('Must specify signal value when change mode is signal');
      if (template.Envvars) problems.push('cannot use signals with env var templates');
      break;
    case 'script':
      if (!isObject(template.ChangeScript)) problems.push('must specify change script configuration value when change mode is script');
      else if (!template.ChangeScript.Command) problems.push('must specify script path value when change mode is script');
      break;
    default:
      problems.push('Invalid change mode. Must be one of the following: noop, signal, script, restart');
  }
  if (typeof template.Splay === 'number' && template.Splay < 0) problems.push('Must specify positive splay value');
  const perms = String(template.Perms ?? '');
  if (perms !== '' && (!/^[0-7]+$/.test(perms) || parseInt(perms, 8) > 0o7777)) problems.push(`Failed to parse ${JSON.stringify(perms)} as octal: strconv.ParseUint: parsing ${JSON.stringify(perms)}: invalid syntax`);
  return problems;
}

const CHECKSUM_LENGTHS: Record<string, number> = { md5: 16, sha1: 20, sha256: 32, sha512: 64 };

export function artifactProblems(artifact: Loose): string[] {
  const problems: string[] = [];
  if (!artifact.GetterSource) problems.push('source must be specified');
  const mode = artifact.GetterMode || 'any';
  if (!['any', 'file', 'dir'].includes(String(mode))) problems.push(`invalid artifact mode ${JSON.stringify(mode)}; must be one of: any, file, dir`);
  if (escapesAlloc(String(artifact.RelativeDest ?? ''))) problems.push('destination escapes allocation directory');
  const checksum = isObject(artifact.GetterOptions) ? artifact.GetterOptions.checksum : undefined;
  if (typeof checksum === 'string' && checksum !== '' && !checksum.includes('${')) {
    const [type, value] = checksum.split(/:(.*)/s, 2);
    if (value === undefined) problems.push(`checksum must be given as 'type:value'; got ${JSON.stringify(checksum)}`);
    else if (!(type in CHECKSUM_LENGTHS)) problems.push(`unsupported checksum type: ${type}`);
    else if (!/^[0-9a-fA-F]*$/.test(value)) problems.push(`invalid checksum: encoding/hex: invalid byte: ${JSON.stringify(value.replace(/[0-9a-fA-F]/g, '')[0])}`);
    else if (value.length !== CHECKSUM_LENGTHS[type] * 2) problems.push(`invalid ${type} checksum (${value}); expected ${CHECKSUM_LENGTHS[type]} bytes, got ${value.length / 2}`);
  }
  return problems;
}

/** Every template and artifact problem of a task, numbered as Nomad numbers them. */
export function taskFileProblems(templates: unknown[] | null, artifacts: unknown[] | null): string[] {
  const errors: string[] = [];
  const destinations = new Map<string, number>();
  (templates ?? []).forEach((template, i) => {
    if (!isObject(template)) return;
    for (const problem of templateProblems(template)) errors.push(`Template ${i + 1} validation failed: ${problem}`);
    const dest = String(template.DestPath ?? '');
    if (destinations.has(dest)) errors.push(`Template ${i + 1} has same destination as ${destinations.get(dest)}`);
    else destinations.set(dest, i + 1);
  });
  (artifacts ?? []).forEach((artifact, i) => {
    if (!isObject(artifact)) return;
    for (const problem of artifactProblems(artifact)) errors.push(`Artifact ${i + 1} validation failed: ${problem}`);
  });
  return errors;
}
