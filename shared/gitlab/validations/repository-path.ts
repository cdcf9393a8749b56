import { isWellFormed } from './text';

/**
 * Paths of files in a project's repository, as the repository files API takes them.
 *
 * GitLab's `file_path` parameter check (`Gitlab::PathTraversal`): after URL-decoding, refused are
 * `.` and `..` alone, `..` as a path segment on either separator (`../x`, `..\x`, `x/..`,
 * `a\..\b`), a newline, NUL and an absolute path. Git (and Gitaly, which cleans or rejects them)
 * would not store the rest of what we refuse: empty segments, `.` segments, a `.git` segment,
 * backslashes (our choice: no segment separator but `/`), invalid UTF-8, and paths over 4096 bytes.
 * Every refusal is Grape's `file_path should be a valid file path`.
 */
const TRAVERSAL = /^\.{1,2}$|^\.\.[/\\]|[/\\]\.\.$|[/\\]\.\.[/\\]|\n/;
const MAX_PATH_BYTES = 4096;

export function isValidRepositoryPath(path: string): boolean {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // Like CGI.unescape, a `%` that starts no escape stays as it is.
  }
  for (const candidate of new Set([path, decoded])) {
    if (TRAVERSAL.test(candidate) || candidate.startsWith('/') || candidate.includes('\0') || candidate.includes('\\')) return false;
  }
  if (!isWellFormed(path) || Buffer.byteLength(path) > MAX_PATH_BYTES) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..' && segment.toLowerCase() !== '.git');
}

export const INVALID_PATH_MESSAGE = 'should be a valid file path';
