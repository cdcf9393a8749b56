import type { ArchiveEntry } from './metadata';

/**
 * `GET /projects/:id/jobs/:job_id/artifacts/tree`: the entries of an archive below `path` (one
 * level, or all with `recursive`), read from its metadata as GitLab's browse page reads them.
 * Directories a zip only implies (through its files' paths) are listed too; directories come
 * first, then files, each by name. Modes are Git-style: `040755` for a directory, `100644` for a file.
 */
export interface TreeEntry {
  name: string;
  path: string;
  type: 'directory' | 'file';
  size?: number;
  mode: string;
}

type Listed = Pick<ArchiveEntry, 'path' | 'mode' | 'size'>;

const fileMode = (mode: string) => `100${(mode || '644').slice(-3).padStart(3, '0')}`;
const dirMode = (mode: string) => `040${(mode || '755').slice(-3).padStart(3, '0')}`;

/** A `path` parameter as a directory prefix: no leading `./` or `/`, one trailing `/` (empty for the root). */
export function directoryPrefix(path: string | undefined): string {
  const trimmed = (path ?? '').replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
  return trimmed ? `${trimmed}/` : '';
}

/** Undefined when `prefix` names no directory of the archive. */
export function artifactTree(entries: Listed[], prefix: string, recursive: boolean): TreeEntry[] | undefined {
  const dirs = new Map<string, string>();
  const files = new Map<string, Listed>();
  for (const entry of entries) {
    const isDir = entry.path.endsWith('/');
    const parts = entry.path.replace(/\/$/, '').split('/');
    // Every ancestor is a directory, listed or not.
    for (let depth = 1; depth < parts.length; depth++) {
      const dir = `${parts.slice(0, depth).join('/')}/`;
      if (!dirs.has(dir)) dirs.set(dir, '');
    }
    if (isDir) dirs.set(entry.path, entry.mode);
    else files.set(entry.path, entry);
  }
  if (prefix && !dirs.has(prefix)) return undefined;
  const below = (path: string) => path.startsWith(prefix) && path !== prefix && (recursive || !path.slice(prefix.length).replace(/\/$/, '').includes('/'));
  const nameOf = (path: string) => path.replace(/\/$/, '').split('/').pop()!;
  const listedDirs = [...dirs].filter(([path]) => below(path)).map(([path, mode]): TreeEntry => ({ name: nameOf(path), path, type: 'directory', mode: dirMode(mode) }));
  const listedFiles = [...files.values()].filter((file) => below(file.path)).map((file): TreeEntry => ({ name: nameOf(file.path), path: file.path, type: 'file', size: file.size, mode: fileMode(file.mode) }));
  const byPath = (a: TreeEntry, b: TreeEntry) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return [...listedDirs.sort(byPath), ...listedFiles.sort(byPath)];
}
