import { badRequest } from '../errors';

/**
 * The `*artifact_path` of a single-file download, as the entry name to look up in the archive.
 * gitbeaker sends it as one percent-encoded segment (`a%2Fb.txt`), curl and python-gitlab with
 * literal slashes; it is decoded once. GitLab refuses only NUL bytes and invalid UTF-8; we also
 * refuse what could reach outside the archive's tree: absolute paths, `.`/`..` segments, backslashes.
 */
export function artifactEntryPath(encoded: string): string {
  let path: string;
  try {
    path = decodeURIComponent(encoded);
  } catch {
    throw badRequest();
  }
  if (path === '' || path.includes('\0') || path.includes('\\') || path.startsWith('/') || /^[A-Za-z]:/.test(path)) throw badRequest();
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) throw badRequest();
  return path;
}
