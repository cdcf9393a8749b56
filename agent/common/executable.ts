import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The path `name` runs as, looked up in `path` (a PATH value) unless it holds a slash; undefined when nothing executable is there. */
export function findExecutable(name: string, path = process.env.PATH ?? '', root = '/'): string | undefined {
  const candidates = name.includes('/') ? [name] : path.split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    const onDisk = join(root, candidate);
    try {
      if (!statSync(onDisk).isFile()) continue;
      accessSync(onDisk, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
