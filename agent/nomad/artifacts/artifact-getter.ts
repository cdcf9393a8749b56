import { createHash, type Hash } from 'node:crypto';
import { chmodSync, createReadStream, createWriteStream, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { basename, dirname, join, relative, resolve, sep, isAbsolute } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { BlobReader, Uint8ArrayWriter, ZipReader, type Entry } from '@zip.js/zip.js';
import { x as untar } from 'tar';
import { prepareParent, resolveTaskPath } from '../allocrunner/task-paths';
import type { TaskDirs } from '../allocrunner/task-env';

/**
 * One `artifact` block fetched into the task directory, as Nomad's go-getter does it for HTTP(S)
 * sources: `options` join the URL's query (`checksum` = `[type:]hex` checked on the download,
 * `archive` = `false` or a type to unpack as, `filename`), `headers` go with the request,
 * `insecure` skips TLS verification, redirects are followed. `mode` `any` unpacks an archive
 * (by its extension: tar, tar.gz/tgz, zip, gz) into the destination directory or saves a file
 * there under its URL's base name; `file` saves the download as the destination itself
 * (decompressing a single-file gz); `dir` needs an archive. Destination defaults to `local/` and
 * stays inside the task; archive entries that climb out, and symlinks that resolve outside, are
 * refused; setuid/setgid bits are dropped. Errors read as go-getter's.
 */
export interface ArtifactSpec {
  GetterSource?: string;
  GetterOptions?: Record<string, string> | null;
  GetterHeaders?: Record<string, string> | null;
  GetterMode?: string;
  RelativeDest?: string;
  GetterInsecure?: boolean;
}

export class ArtifactError extends Error {}

const ARCHIVES: [string, string][] = [
  ['.tar.gz', 'tar.gz'],
  ['.tgz', 'tgz'],
  ['.tar', 'tar'],
  ['.zip', 'zip'],
  ['.gz', 'gz'],
];
const HASHES: Record<string, { algorithm: string; go: string; hexLength: number }> = {
  md5: { algorithm: 'md5', go: '*md5.digest', hexLength: 32 },
  sha1: { algorithm: 'sha1', go: '*sha1.digest', hexLength: 40 },
  sha256: { algorithm: 'sha256', go: '*sha256.digest', hexLength: 64 },
  sha512: { algorithm: 'sha512', go: '*sha512.digest', hexLength: 128 },
};
const MAX_REDIRECTS = 10;

interface Checksum {
  type: string;
  expected: string;
}

function parseChecksum(value: string): Checksum {
  const [type, expected] = value.includes(':') ? value.split(/:(.*)/s, 2) : [Object.keys(HASHES).find((name) => HASHES[name].hexLength === value.length) ?? '', value];
  if (!HASHES[type]) throw new ArtifactError(`unsupported checksum type: ${type}`);
  if (!/^[0-9a-fA-F]+$/.test(expected) || expected.length !== HASHES[type].hexLength) throw new ArtifactError(`invalid checksum: ${expected}`);
  return { type, expected: expected.toLowerCase() };
}

function archiveType(option: string | undefined, path: string): string | undefined {
  if (option !== undefined && option !== '') return option === 'false' ? undefined : option;
  return ARCHIVES.find(([ext]) => path.toLowerCase().endsWith(ext))?.[1];
}

/** Downloads `url` to `file`, following redirects; resolves with the hex digest when asked for one. */
function download(url: URL, file: string, headers: Record<string, string>, insecure: boolean, hashType: string | undefined, signal: AbortSignal, redirects = 0): Promise<string | undefined> {
  return new Promise((resolvePromise, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.get(url, { headers, signal, rejectUnauthorized: !insecure }, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        if (redirects >= MAX_REDIRECTS) return reject(new ArtifactError(`stopped after ${MAX_REDIRECTS} redirects`));
        return resolvePromise(download(new URL(response.headers.location, url), file, headers, insecure, hashType, signal, redirects + 1));
      }
      if (status < 200 || status >= 300) {
        response.resume();
        return reject(new ArtifactError(`bad response code: ${status}`));
      }
      const hash: Hash | undefined = hashType ? createHash(HASHES[hashType].algorithm) : undefined;
      if (hash) response.on('data', (chunk: Buffer) => hash.update(chunk));
      pipeline(response, createWriteStream(file)).then(() => resolvePromise(hash?.digest('hex')), reject);
    });
    request.on('error', reject);
  });
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Drops setuid/setgid bits and refuses symlinks that resolve outside the task's directories. */
function checkTree(root: string, dirs: TaskDirs): void {
  const roots = [dirs.taskDir, dirs.allocDir];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) {
        const target = resolve(dirname(path), readlinkSync(path));
        if (!roots.some((rootDir) => inside(rootDir, target))) throw new ArtifactError(SANDBOX_ESCAPE);
        continue;
      }
      if (stat.mode & 0o6000) chmodSync(path, stat.mode & 0o1777);
      if (stat.isDirectory()) walk(path);
    }
  };
  walk(root);
}

async function unzip(file: string, dest: string): Promise<void> {
  const reader = new ZipReader(new BlobReader(new Blob([readFileSync(file)])));
  try {
    const entries: Entry[] = await reader.getEntries();
    for (const entry of entries) {
      const target = resolve(dest, entry.filename);
      if (!inside(dest, target)) throw new ArtifactError(`entry contains '..': ${entry.filename}`);
      if (entry.directory) {
        mkdirSync(target, { recursive: true });
        continue;
      }
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, await entry.getData!(new Uint8ArrayWriter()));
      const mode = (entry.externalFileAttributes >>> 16) & 0o777;
      if (mode) chmodSync(target, mode);
    }
  } finally {
    await reader.close();
  }
}

const SANDBOX_ESCAPE = 'artifact includes symlink that resolves outside of sandbox';

async function unpack(type: string, file: string, dest: string, dirs: TaskDirs): Promise<void> {
  mkdirSync(dest, { recursive: true });
  switch (type) {
    case 'tar':
    case 'tar.gz':
    case 'tgz': {
      let escapes = false;
      // A link that points out of the task is refused before anything is written through it.
      const filter = (path: string, entry: unknown) => {
        const { type: kind, linkpath } = entry as { type?: string; linkpath?: string };
        if ((kind !== 'SymbolicLink' && kind !== 'Link') || !linkpath) return true;
        const target = isAbsolute(linkpath) ? linkpath : resolve(dest, dirname(path), linkpath);
        if ([dirs.taskDir, dirs.allocDir].some((rootDir) => inside(rootDir, target))) return true;
        escapes = true;
        return false;
      };
      await untar({ file, cwd: dest, strict: true, preserveOwner: false, gzip: type !== 'tar', filter });
      if (escapes) throw new ArtifactError(SANDBOX_ESCAPE);
      return;
    }
    case 'zip':
      await unzip(file, dest);
      return;
    default:
      throw new ArtifactError(`unsupported archive type: ${type}`);
  }
}

export interface ArtifactContext {
  dirs: TaskDirs;
  interpolate: (text: string) => string;
  signal: AbortSignal;
}

/** Fetches one artifact; throws with go-getter's wording of what went wrong. */
export async function getArtifact(spec: ArtifactSpec, context: ArtifactContext): Promise<void> {
  const { dirs, interpolate, signal } = context;
  const source = interpolate(spec.GetterSource ?? '');
  const forced = /^([A-Za-z0-9]+)::(.*)$/s.exec(source);
  const getter = forced?.[1];
  let url: URL;
  try {
    url = new URL(forced ? forced[2] : source);
  } catch (error) {
    throw new ArtifactError(`failed to parse source URL ${JSON.stringify(source)}: ${(error as Error).message}`);
  }
  const scheme = getter ?? url.protocol.replace(/:$/, '');
  if (scheme !== 'http' && scheme !== 'https') throw new ArtifactError(`error downloading '${source}': download not supported for scheme '${scheme}'`);
  for (const [key, value] of Object.entries(spec.GetterOptions ?? {})) url.searchParams.set(key, interpolate(value));
  const popped = (key: string) => {
    const value = url.searchParams.get(key) ?? undefined;
    url.searchParams.delete(key);
    return value;
  };
  const checksumText = popped('checksum');
  const archiveOption = popped('archive');
  const filename = popped('filename');
  const checksum = checksumText ? parseChecksum(checksumText) : undefined;
  const headers = Object.fromEntries(Object.entries(spec.GetterHeaders ?? {}).map(([key, value]) => [key, interpolate(value)]));
  let dest: string;
  try {
    dest = resolveTaskPath(dirs, interpolate(spec.RelativeDest || 'local/'), 'artifact destination');
  } catch {
    throw new ArtifactError('artifact destination path escapes alloc directory');
  }
  const mode = spec.GetterMode || 'any';
  const archive = archiveType(archiveOption, url.pathname);
  const staging = join(dirs.taskDir, 'tmp', `.artifact-${process.pid}-${Date.now()}`);
  mkdirSync(dirname(staging), { recursive: true });
  try {
    let digest: string | undefined;
    try {
      digest = await download(url, staging, headers, spec.GetterInsecure ?? false, checksum?.type, signal);
    } catch (error) {
      throw new ArtifactError(`error downloading '${url.href}': ${(error as Error).message}`);
    }
    if (checksum && digest !== checksum.expected) {
      throw new ArtifactError(`Checksums did not match for ${staging}.\nExpected: ${checksum.expected}\nGot: ${digest}\n${HASHES[checksum.type].go}`);
    }
    const gunzipTo = async (target: string) => {
      prepareParent(dirs, target, 'artifact destination');
      await pipeline(createReadStream(staging), createGunzip(), createWriteStream(target));
    };
    if (mode === 'file') {
      if (archive && archive !== 'gz') throw new ArtifactError(`cannot decompress ${archive} archive into a file: use mode "dir" or "any"`);
      if (archive === 'gz') await gunzipTo(dest);
      else {
        prepareParent(dirs, dest, 'artifact destination');
        renameSync(staging, dest);
      }
      return;
    }
    if (!archive) {
      if (mode === 'dir') throw new ArtifactError(`error downloading '${url.href}': no source URL was returned`);
      const target = join(dest, filename || basename(url.pathname) || 'index.html');
      prepareParent(dirs, target, 'artifact destination');
      renameSync(staging, target);
      return;
    }
    if (archive === 'gz') {
      await gunzipTo(join(dest, filename || basename(url.pathname).replace(/\.gz$/i, '')));
      return;
    }
    prepareParent(dirs, join(dest, '.'), 'artifact destination');
    try {
      await unpack(archive, staging, dest, dirs);
    } catch (error) {
      if (error instanceof ArtifactError) throw error;
      throw new ArtifactError(`error downloading '${url.href}': ${(error as Error).message}`);
    }
    if (statSync(dest).isDirectory()) checkTree(dest, dirs);
  } finally {
    rmSync(staging, { force: true });
  }
}
