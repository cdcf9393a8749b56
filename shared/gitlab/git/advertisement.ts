import { readObject, type Repository } from './repository';

/**
 * The refs a repository shows to git: `HEAD` first (the default branch, as a symref), then every
 * ref by name, each annotated tag followed by its peeled value.
 */
export interface AdvertisedRef {
  name: string;
  oid: string;
  symrefTarget?: string;
  peeled?: string;
}

export const AGENT = 'agent=jobplane/1';

export async function advertisedRefs(repo: Repository, defaultBranch: string | null): Promise<AdvertisedRef[]> {
  const refs: AdvertisedRef[] = [];
  const head = defaultBranch ? `refs/heads/${defaultBranch}` : undefined;
  if (head && repo.refs.has(head)) refs.push({ name: 'HEAD', oid: repo.refs.get(head)!, symrefTarget: head });
  for (const name of [...repo.refs.keys()].sort()) {
    const oid = repo.refs.get(name)!;
    const ref: AdvertisedRef = { name, oid };
    if (name.startsWith('refs/tags/')) {
      let target = oid;
      for (let read = await readObject(repo, target); read.type === 'tag'; read = await readObject(repo, target)) target = read.object.object;
      if (target !== oid) ref.peeled = target;
    }
    refs.push(ref);
  }
  return refs;
}
