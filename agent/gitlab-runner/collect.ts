import { readdir } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import picomatch from 'picomatch';

/**
 * Which files of the build folder `artifacts:paths` names, as gitlab-runner reads them: each
 * path is a glob (`**` too) relative to the folder; a matched directory brings everything under
 * it; `artifacts:exclude` globs then drop files. Nothing outside the folder is ever taken.
 */
export interface Collected {
  /** Relative paths with `/`, directories ending in `/`, in a stable order. */
  entries: string[];
  /** The patterns that matched nothing (gitlab-runner warns about them). */
  unmatched: string[];
}

async function walk(root: string): Promise<string[]> {
  const found = await readdir(root, { recursive: true, withFileTypes: true });
  return found
    .filter((entry) => entry.isFile() || entry.isDirectory())
    .map((entry) => {
      const path = relative(root, join(entry.parentPath, entry.name)).split(sep).join('/');
      return entry.isDirectory() ? `${path}/` : path;
    })
    .sort();
}

function normalise(pattern: string): string | undefined {
  const cleaned = posix.normalize(pattern.replace(/^\.\//, '')).replace(/\/+$/, '');
  if (cleaned === '' || cleaned === '.' || cleaned.startsWith('../') || cleaned === '..' || posix.isAbsolute(cleaned)) return undefined;
  return cleaned;
}

/** `also`: files taken whatever the paths say (`artifacts:untracked`), still subject to `exclude`. */
export async function collectArtifacts(root: string, paths: string[], exclude: string[], also: string[] = []): Promise<Collected> {
  const all = await walk(root);
  const chosen = new Set<string>(also);
  const unmatched: string[] = [];
  for (const pattern of paths) {
    const glob = normalise(pattern);
    const matches = glob ? picomatch(glob, { dot: true }) : () => false;
    const hits = all.filter((entry) => matches(entry.replace(/\/$/, '')));
    if (hits.length === 0) unmatched.push(pattern);
    for (const hit of hits) {
      chosen.add(hit);
      if (hit.endsWith('/')) for (const entry of all) if (entry.startsWith(hit)) chosen.add(entry);
    }
  }
  const excluded = exclude.map(normalise).filter((glob): glob is string => glob !== undefined).map((glob) => picomatch(glob, { dot: true }));
  const entries = [...chosen].filter((entry) => entry.endsWith('/') || !excluded.some((matches) => matches(entry))).sort();
  return { entries, unmatched };
}
