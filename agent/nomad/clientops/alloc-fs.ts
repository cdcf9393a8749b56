import { lstatSync, readdirSync, realpathSync, statSync, type BigIntStats } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, sep } from 'node:path';

/**
 * The allocation directory as Nomad's client serves it (`/v1/client/fs/*`): paths are relative
 * to the allocation directory, and one that leaves it (`..`, or a symlink pointing outside) is
 * refused with Nomad's "Path escapes the alloc directory" before anything is read; a task's
 * `secrets/` (and `private/`) cannot be read. File infos are Nomad's AllocFileInfo: Go's
 * FileMode string, ModTime in RFC 3339 with nanoseconds, and ContentType (stat only) sniffed
 * from the first 512 bytes as Go's http.DetectContentType does for the common types.
 */
export class FsError extends Error {
  constructor(
    message: string,
    /** The HTTP status Nomad gives, where it gives one. */
    readonly code?: number,
  ) {
    super(message);
  }
}

export interface AllocFileInfo {
  Name: string;
  IsDir: boolean;
  Size: number;
  FileMode: string;
  ModTime: string;
  ContentType?: string;
}

const ESCAPES = 'Path escapes the alloc directory';

function within(base: string, target: string): boolean {
  const rel = relative(base, target);
  return !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}

/** The host path of `path` inside `allocDir`, refused if it escapes by `..` or by a symlink. */
export function confine(allocDir: string, path: string): string {
  const full = join(allocDir, path);
  if (!within(allocDir, full)) throw new FsError(ESCAPES);
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    // Nothing there (yet): nothing to follow, as Nomad treats it.
    return full;
  }
  if (!within(realpathSync(allocDir), real)) throw new FsError(ESCAPES);
  return full;
}

function notFound(op: string, path: string, error: unknown): FsError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new FsError(`${op} ${path}: no such file or directory`, 404);
  if (code === 'ENOTDIR') return new FsError(`${op} ${path}: not a directory`);
  if (code === 'EACCES') return new FsError(`${op} ${path}: permission denied`);
  return new FsError(`${op} ${path}: ${(error as Error).message}`);
}

const PERMS = 'rwxrwxrwx';

/** Go's os.FileMode.String(). */
export function goFileMode(stats: { mode: number | bigint }): string {
  const mode = Number(stats.mode);
  const type = mode & 0o170000;
  let prefix = '';
  if (type === 0o040000) prefix += 'd';
  if (type === 0o120000) prefix += 'L';
  if (type === 0o060000) prefix += 'D';
  if (type === 0o010000) prefix += 'p';
  if (type === 0o140000) prefix += 'S';
  if (mode & 0o4000) prefix += 'u';
  if (mode & 0o2000) prefix += 'g';
  if (type === 0o020000) prefix += 'Dc';
  if (mode & 0o1000) prefix += 't';
  let perms = '';
  for (let bit = 0; bit < 9; bit++) perms += mode & (1 << (8 - bit)) ? PERMS[bit] : '-';
  return (prefix || '-') + perms;
}

/** Go's time.Time JSON form (RFC 3339 with up to nine fraction digits, trailing zeros dropped). */
export function goTime(stats: BigIntStats): string {
  const ns = stats.mtimeNs;
  const seconds = new Date(Number(ns / 1_000_000_000n) * 1000).toISOString().slice(0, 19);
  const fraction = String(ns % 1_000_000_000n).padStart(9, '0').replace(/0+$/, '');
  return `${seconds}${fraction ? `.${fraction}` : ''}Z`;
}

function info(name: string, stats: BigIntStats): AllocFileInfo {
  return { Name: name, IsDir: stats.isDirectory(), Size: Number(stats.size), FileMode: goFileMode(stats), ModTime: goTime(stats) };
}

const SIGNATURES: [RegExp | Buffer, string][] = [
  [/^\s*<!DOCTYPE HTML|^\s*<(html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p)[\s>]/i, 'text/html; charset=utf-8'],
  [/^\s*<\?xml/, 'text/xml; charset=utf-8'],
  [Buffer.from('%PDF-'), 'application/pdf'],
  [Buffer.from('%!PS-Adobe-'), 'application/postscript'],
  [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'image/png'],
  [Buffer.from([0xff, 0xd8, 0xff]), 'image/jpeg'],
  [Buffer.from('GIF87a'), 'image/gif'],
  [Buffer.from('GIF89a'), 'image/gif'],
  [Buffer.from([0x1f, 0x8b, 0x08]), 'application/x-gzip'],
  [Buffer.from('PK\x03\x04'), 'application/zip'],
  [Buffer.from('Rar!\x1a\x07'), 'application/x-rar-compressed'],
  [Buffer.from([0x00, 0x61, 0x73, 0x6d]), 'application/wasm'],
];

/** Go's http.DetectContentType for the common signatures, then its text/binary rule. */
export function detectContentType(head: Buffer): string {
  if (head.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))) return 'text/plain; charset=utf-8';
  if (head.subarray(0, 2).equals(Buffer.from([0xfe, 0xff])) || head.subarray(0, 2).equals(Buffer.from([0xff, 0xfe]))) return 'text/plain; charset=utf-16be';
  const text = head.toString('latin1');
  for (const [signature, type] of SIGNATURES) {
    if (signature instanceof RegExp ? signature.test(text) : head.subarray(0, signature.length).equals(signature)) return type;
  }
  for (const byte of head) {
    if (byte <= 0x08 || byte === 0x0b || (byte >= 0x0e && byte <= 0x1a) || (byte >= 0x1c && byte <= 0x1f)) return 'application/octet-stream';
  }
  return 'text/plain; charset=utf-8';
}

export function listDir(allocDir: string, path: string): AllocFileInfo[] {
  const full = confine(allocDir, path);
  let names: string[];
  try {
    names = readdirSync(full).sort();
  } catch (error) {
    throw notFound('open', path, error);
  }
  return names.flatMap((name) => {
    try {
      return [info(name, lstatSync(join(full, name), { bigint: true }))];
    } catch {
      return [];
    }
  });
}

export async function statPath(allocDir: string, path: string): Promise<AllocFileInfo> {
  const full = confine(allocDir, path);
  let stats: BigIntStats;
  try {
    stats = statSync(full, { bigint: true });
  } catch (error) {
    throw notFound('stat', path, error);
  }
  let contentType = 'application/octet-stream';
  if (!stats.isDirectory()) {
    try {
      const file = await open(full, 'r');
      try {
        const head = Buffer.alloc(512);
        const { bytesRead } = await file.read(head, 0, 512, 0);
        if (bytesRead > 0) contentType = detectContentType(head.subarray(0, bytesRead));
      } finally {
        await file.close();
      }
    } catch {
      // best effort, as Nomad's
    }
  }
  if (full.endsWith('.json')) contentType = 'application/json';
  return { ...info(basename(full), stats), ContentType: contentType };
}

/** Reading a task's secrets (or private) directory is refused, as Nomad refuses it. */
export function checkReadable(allocDir: string, path: string, tasks: string[]): string {
  const full = confine(allocDir, path).toLowerCase();
  for (const task of tasks) {
    if (full.startsWith(join(allocDir, task, 'secrets').toLowerCase())) throw new FsError(`Reading secret file prohibited: ${path}`);
    if (full.startsWith(join(allocDir, task, 'private').toLowerCase())) throw new FsError(`Reading private file prohibited: ${path}`);
  }
  return join(allocDir, path);
}
