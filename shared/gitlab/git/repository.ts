import * as fs from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import * as git from 'isomorphic-git';
import { config } from '../../config';
import { readGitState, updateRefs, type PackEntry, type RefUpdate } from '../store/git-refs';
import { downloadPackFile, uploadPackFiles } from '../store/pack-files';
import { checkPackEnvelope } from './pack-check';
import { writePack } from './pack-writer';

/**
 * A project's git repository as one request sees it: the refs read from the table, and its packs
 * (fetched once from the bucket into a local cache directory, which holds only registered packs)
 * read with isomorphic-git. New objects arrive only as whole packs: staged, indexed and verified
 * aside, uploaded, then registered together with the ref updates that need them.
 */
export interface Repository {
  projectId: number;
  gitdir: string;
  refs: Map<string, string>;
  packs: PackEntry[];
  /** isomorphic-git's cache (pack indexes, pack contents). */
  cache: object;
  fs: PackedFs;
}

/** What object reads need: a directory of packs, the cache, and (for packs only) a faster fs. */
export interface ObjectReader {
  gitdir: string;
  cache: object;
  fs?: PackedFs;
}

type PackedFs = { promises: typeof fs.promises };

const LOOSE_OBJECT = /\/objects\/[0-9a-f]{2}\/[0-9a-f]{38}$/;

/**
 * The file system as isomorphic-git sees a directory that holds packs only: it looks for a loose
 * object and lists the pack folder before every object it reads, so the first is answered "not
 * found" without asking the disk and the second once per request.
 */
function packedFs(gitdir: string): PackedFs {
  const base = fs.promises;
  const packDir = normalize(join(gitdir, 'objects', 'pack'));
  let listing: Promise<string[]> | undefined;
  const notFound = (path: string) => Promise.reject(Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' }));
  return {
    promises: {
      ...base,
      readFile: ((path: string, options?: never) =>
        typeof path === 'string' && path.startsWith(gitdir) && LOOSE_OBJECT.test(path) ? notFound(path) : base.readFile(path, options)) as typeof base.readFile,
      readdir: ((path: string, options?: never) => (typeof path === 'string' && normalize(path) === packDir ? (listing ??= base.readdir(path)) : base.readdir(path, options))) as typeof base.readdir,
    },
  };
}

export class PackRejected extends Error {}

const cacheRoot = () => join(tmpdir(), 'jobplane-git', config().bucketName);
const gitdirOf = (projectId: number) => join(cacheRoot(), String(projectId));

async function writeAtomically(path: string, data: Buffer): Promise<void> {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

async function ensureLocal(projectId: number, gitdir: string, packs: PackEntry[]): Promise<void> {
  const packDir = join(gitdir, 'objects', 'pack');
  await mkdir(packDir, { recursive: true });
  const present = new Set(await readdir(packDir));
  await Promise.all(
    packs
      .filter((pack) => !present.has(`${pack.name}.idx`))
      .map(async (pack) => {
        const [data, idx] = await Promise.all([downloadPackFile(projectId, pack.name, 'pack'), downloadPackFile(projectId, pack.name, 'idx')]);
        // The index last: isomorphic-git finds packs by their .idx.
        await writeAtomically(join(packDir, `${pack.name}.pack`), data);
        await writeAtomically(join(packDir, `${pack.name}.idx`), idx);
      }),
  );
}

/** The repository as stored; `migrate` brings repositories from before git (see migrate-legacy.ts). */
export async function openRepository(projectId: number, options: { migrate?: (projectId: number) => Promise<boolean> } = {}): Promise<Repository> {
  let state = await readGitState(projectId);
  if (state.refs.size === 0 && state.packs.length === 0 && options.migrate && (await options.migrate(projectId))) {
    state = await readGitState(projectId);
  }
  const gitdir = gitdirOf(projectId);
  await ensureLocal(projectId, gitdir, state.packs);
  return { projectId, gitdir, refs: state.refs, packs: state.packs, cache: cacheOf(gitdir), fs: packedFs(gitdir) };
}

/**
 * isomorphic-git's cache of pack indexes and pack contents, kept per repository for the life of
 * the process: packs never change, and a pack added later is found by its new file. Bounded by
 * dropping them all when too many repositories were read.
 */
const caches = new Map<string, object>();
const MAX_CACHED_REPOSITORIES = 32;

function cacheOf(gitdir: string): object {
  let cache = caches.get(gitdir);
  if (!cache) {
    if (caches.size >= MAX_CACHED_REPOSITORIES) caches.clear();
    cache = {};
    caches.set(gitdir, cache);
  }
  return cache;
}

/** A repository with no refs or packs yet, to write the first pack into. */
export function emptyRepository(projectId: number): Repository {
  return { projectId, gitdir: gitdirOf(projectId), refs: new Map(), packs: [], cache: cacheOf(gitdirOf(projectId)), fs: packedFs(gitdirOf(projectId)) };
}

export type GitObject =
  | { type: 'commit'; object: git.CommitObject }
  | { type: 'tree'; object: git.TreeObject }
  | { type: 'blob'; object: Uint8Array }
  | { type: 'tag'; object: git.TagObject };

export async function readObject(repo: ObjectReader, oid: string): Promise<GitObject> {
  const result = await git.readObject({ fs: repo.fs ?? fs, gitdir: repo.gitdir, oid, cache: repo.cache, format: 'parsed' });
  return { type: result.type, object: result.object } as GitObject;
}

export async function hasObject(repo: ObjectReader, oid: string): Promise<boolean> {
  try {
    await git.readObject({ fs: repo.fs ?? fs, gitdir: repo.gitdir, oid, cache: repo.cache, format: 'deflated' });
    return true;
  } catch (error) {
    if (error instanceof git.Errors.NotFoundError) return false;
    throw error;
  }
}

export async function readCommitObject(repo: Repository, oid: string): Promise<git.CommitObject | undefined> {
  try {
    const read = await readObject(repo, oid);
    return read.type === 'commit' ? read.object : undefined;
  } catch (error) {
    if (error instanceof git.Errors.NotFoundError) return undefined;
    throw error;
  }
}

/** The commit an object id names, peeling annotated tags. */
export async function peelToCommit(repo: Repository, oid: string): Promise<string | undefined> {
  for (let depth = 0; depth < 10; depth++) {
    let read: GitObject;
    try {
      read = await readObject(repo, oid);
    } catch (error) {
      if (error instanceof git.Errors.NotFoundError) return undefined;
      throw error;
    }
    if (read.type === 'commit') return oid;
    if (read.type !== 'tag') return undefined;
    oid = read.object.object;
  }
  return undefined;
}

/** A pack received or built, indexed in a staging directory that also sees the repository's packs. */
export interface StagedPack {
  entry: PackEntry;
  /** Reads objects of the repository and of the new pack. */
  gitdir: string;
  cache: object;
  fs: PackedFs;
  oids: Set<string>;
  pack: Buffer;
  idx: Buffer;
  dispose(): Promise<void>;
}

export async function stagePack(repo: Repository, pack: Buffer): Promise<StagedPack> {
  const envelope = checkPackEnvelope(pack);
  if ('error' in envelope) throw new PackRejected(envelope.error);
  await mkdir(cacheRoot(), { recursive: true });
  const staging = await mkdtemp(join(cacheRoot(), 'staging-'));
  const dispose = () => rm(staging, { recursive: true, force: true });
  try {
    const packDir = join(staging, 'objects', 'pack');
    await mkdir(packDir, { recursive: true });
    const packPath = join(packDir, `${envelope.name}.pack`);
    await writeFile(packPath, pack);
    let oids: string[];
    try {
      ({ oids } = await git.indexPack({ fs, dir: staging, gitdir: staging, filepath: join('objects', 'pack', `${envelope.name}.pack`), cache: {} }));
    } catch (error) {
      throw new PackRejected(`index-pack failed: ${(error as Error).message}`);
    }
    // isomorphic-git skips objects it cannot resolve (a delta against a base we lack): refuse those packs.
    if (oids.length !== envelope.objects) throw new PackRejected(`pack has ${envelope.objects} objects, ${oids.length} could be resolved`);
    for (const existing of repo.packs) {
      for (const ext of ['pack', 'idx']) await symlink(join(repo.gitdir, 'objects', 'pack', `${existing.name}.${ext}`), join(packDir, `${existing.name}.${ext}`)).catch(() => undefined);
    }
    const idx = fs.readFileSync(join(packDir, `${envelope.name}.idx`));
    return { entry: { name: envelope.name, objects: envelope.objects, bytes: pack.length }, gitdir: staging, cache: {}, fs: packedFs(staging), oids: new Set(oids), pack, idx, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/**
 * Uploads the staged pack, then registers it with the ref updates in one transaction (a
 * TransactionConflict when a ref moved). Only then does the pack join the local cache.
 */
export async function commitPack(repo: Repository, staged: StagedPack | undefined, updates: RefUpdate[]): Promise<void> {
  const known = staged && repo.packs.some((pack) => pack.name === staged.entry.name);
  if (staged && !known) await uploadPackFiles(repo.projectId, staged.entry.name, staged.pack, staged.idx);
  await updateRefs(repo.projectId, staged && !known ? staged.entry : undefined, updates);
  if (staged && !known) {
    const packDir = join(repo.gitdir, 'objects', 'pack');
    await mkdir(packDir, { recursive: true });
    await writeAtomically(join(packDir, `${staged.entry.name}.pack`), staged.pack);
    await writeAtomically(join(packDir, `${staged.entry.name}.idx`), staged.idx);
    repo.packs.push(staged.entry);
    repo.fs = packedFs(repo.gitdir);
  }
  for (const update of updates) {
    if (update.new === undefined) repo.refs.delete(update.name);
    else repo.refs.set(update.name, update.new);
  }
}

/** Writes objects into a scratch directory and packs them: how the API makes commits. */
export async function buildPack(write: (scratch: { fs: typeof fs; gitdir: string }) => Promise<string[]>): Promise<Buffer> {
  await mkdir(cacheRoot(), { recursive: true });
  const scratch = await mkdtemp(join(cacheRoot(), 'scratch-'));
  try {
    const oids = await write({ fs, gitdir: scratch });
    return await writePack({ fs, gitdir: scratch, cache: {} }, [...new Set(oids)]);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
