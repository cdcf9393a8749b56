import { readObject, type Repository } from './repository';

/**
 * What a fetch sends: the commits reachable from `wants` that the client lacks (bounded by `depth`
 * for shallow fetches), with every tree and blob they need that is not already in a tree the
 * client has. Sending an object twice is harmless; missing one is not, so the exclusions are only
 * what the client certainly has.
 */
export interface WalkRequest {
  wants: string[];
  /** Commits the client said it has and we have too. */
  common: string[];
  /** The client's current shallow boundary. */
  clientShallow: Set<string>;
  /** `deepen <n>`: the wanted commits and n−1 generations of ancestors. */
  depth?: number;
  /** `deepen-relative`: `depth` more generations below the client's shallow boundary. */
  relative?: boolean;
  /** Annotated tags pointing into what is sent are sent too (`include-tag`). */
  includeTags?: boolean;
}

export interface WalkResult {
  oids: string[];
  shallow: string[];
  unshallow: string[];
}

const GITLINK = '160000';

async function commitOf(repo: Repository, oid: string) {
  const read = await readObject(repo, oid);
  if (read.type !== 'commit') throw new Error(`${oid} is a ${read.type}, not a commit`);
  return read.object;
}

/** Every tree and blob under `tree` not in `skip`, added to `into` (and to `skip`). */
async function collectTree(repo: Repository, tree: string, skip: Set<string>, into: string[]): Promise<void> {
  if (skip.has(tree)) return;
  skip.add(tree);
  into.push(tree);
  const read = await readObject(repo, tree);
  if (read.type !== 'tree') throw new Error(`${tree} is not a tree`);
  for (const entry of read.object) {
    if (entry.mode === GITLINK || skip.has(entry.oid)) continue;
    if (entry.type === 'tree') await collectTree(repo, entry.oid, skip, into);
    else {
      skip.add(entry.oid);
      into.push(entry.oid);
    }
  }
}

export async function walkForFetch(repo: Repository, request: WalkRequest): Promise<WalkResult> {
  // What the client has: every ancestor of a common commit, down to its shallow boundary.
  const clientHas = new Set<string>();
  const pending = [...request.common];
  while (pending.length > 0) {
    const oid = pending.pop()!;
    if (clientHas.has(oid)) continue;
    clientHas.add(oid);
    if (request.clientShallow.has(oid)) continue;
    pending.push(...(await commitOf(repo, oid)).parent);
  }
  const skip = new Set<string>();
  for (const oid of request.common) skip.add((await commitOf(repo, oid)).tree);
  // The have tips' trees, expanded: their objects are not sent again.
  const known: string[] = [];
  for (const tree of [...skip]) {
    skip.delete(tree);
    await collectTree(repo, tree, skip, known);
  }

  const oids: string[] = [];
  const shallow: string[] = [];
  const unshallow: string[] = [];
  const sentCommits = new Set<string>();
  const commits: string[] = [];
  const peeled: string[] = [];
  for (const want of request.wants) {
    let oid = want;
    for (let read = await readObject(repo, oid); read.type === 'tag'; read = await readObject(repo, oid)) {
      if (!skip.has(oid)) oids.push(oid);
      skip.add(oid);
      oid = read.object.object;
    }
    peeled.push(oid);
  }
  // Breadth first, so each commit is met at its smallest depth. With `deepen-relative` the depth
  // counts from the client's shallow boundary, whose commits are generation 1.
  const limit = request.depth === undefined ? undefined : request.relative ? request.depth + 1 : request.depth;
  let level: { oid: string; depth?: number }[] = peeled.filter((oid, i) => peeled.indexOf(oid) === i).map((oid) => ({ oid, depth: request.relative ? undefined : 1 }));
  const seen = new Set(level.map((entry) => entry.oid));
  while (level.length > 0) {
    const next: { oid: string; depth?: number }[] = [];
    for (const { oid, depth: reached } of level) {
      const read = await readObject(repo, oid);
      if (read.type !== 'commit') {
        // A wanted tree or blob.
        if (read.type === 'tree') await collectTree(repo, oid, skip, oids);
        else if (!skip.has(oid)) oids.push(oid);
        continue;
      }
      const commit = read.object;
      const clientShallow = request.clientShallow.has(oid);
      const has = clientHas.has(oid) || clientShallow;
      // Without deepening, what the client has ends the walk; a deepening walks on through it to
      // the shallow boundary below.
      if (has && limit === undefined) continue;
      const depth = clientShallow && request.relative ? 1 : reached;
      if (!has) {
        sentCommits.add(oid);
        commits.push(oid);
      }
      if (limit !== undefined && depth !== undefined && depth >= limit) {
        if (commit.parent.length > 0 && !has) shallow.push(oid);
        continue;
      }
      if (clientShallow && commit.parent.length > 0) unshallow.push(oid);
      for (const parent of commit.parent) {
        if (seen.has(parent)) continue;
        seen.add(parent);
        next.push({ oid: parent, depth: depth === undefined ? undefined : depth + 1 });
      }
    }
    level = next;
  }
  for (const oid of commits) {
    oids.push(oid);
    await collectTree(repo, (await commitOf(repo, oid)).tree, skip, oids);
  }
  if (request.includeTags) {
    for (const [name, oid] of repo.refs) {
      if (!name.startsWith('refs/tags/') || skip.has(oid) || oids.includes(oid)) continue;
      const read = await readObject(repo, oid);
      if (read.type === 'tag' && sentCommits.has(read.object.object)) oids.push(oid);
    }
  }
  return { oids, shallow, unshallow };
}
