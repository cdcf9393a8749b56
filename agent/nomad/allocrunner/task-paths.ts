import { mkdirSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import type { TaskDirs } from './task-env';

/**
 * Where a path a template or artifact names lands on the host, confined as Nomad confines it:
 * `${…}` is interpolated first; the result is taken relative to the task directory (an absolute
 * path too, so `${NOMAD_SECRETS_DIR}/x` works whether the task sees its directories in a chroot
 * or on the host), except that `alloc/…` is the allocation's shared directory. A path that leaves
 * both is refused, and so is one whose parent resolves outside them through a symlink.
 */
export class PathEscapeError extends Error {}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The host path of `path` (already interpolated), or a PathEscapeError. */
export function resolveTaskPath(dirs: TaskDirs, path: string, what: string): string {
  const host = isAbsolute(path) && (inside(dirs.taskDir, path) || inside(dirs.allocDir, path)) ? normalize(path) : undefined;
  let resolved = host;
  if (!resolved) {
    const rel = normalize(path.replace(/^\/+/, ''));
    resolved = rel === 'alloc' || rel.startsWith(`alloc${sep}`) ? join(dirs.allocDir, rel.slice('alloc'.length)) : join(dirs.taskDir, rel);
  }
  if (!inside(dirs.taskDir, resolved) && !inside(dirs.allocDir, resolved)) throw new PathEscapeError(`${what} path escapes alloc directory`);
  return resolved;
}

/** Creates the parent directories of `file` and checks no symlink on the way leads out of the task. */
export function prepareParent(dirs: TaskDirs, file: string, what: string): void {
  const parent = dirname(file);
  mkdirSync(parent, { recursive: true });
  const real = realpathSync(parent);
  const roots = [dirs.taskDir, dirs.allocDir].map((root) => realpathSync(root));
  if (!roots.some((root) => inside(root, real))) throw new PathEscapeError(`${what} path escapes alloc directory`);
}
