import { isWellFormed } from './text';

/**
 * Whether a branch name could exist: GitLab's `GitRefValidator` (git's `check-ref-format` rules
 * for `refs/heads/<name>`, as libgit2 applies them, within its 1024-byte ref-name limit). A name
 * that fails can never have been created, so looking it up is a miss without a read.
 */
const MAX_REF_BYTES = 1024 - 'refs/heads/'.length;

export function isValidBranchName(name: string): boolean {
  if (name === '' || name === 'HEAD' || name === '@' || name.startsWith('-') || name.startsWith('refs/heads/') || name.startsWith('refs/remotes/')) return false;
  if (!isWellFormed(name) || Buffer.byteLength(name) > MAX_REF_BYTES) return false;
  // Control characters, space and ~ ^ : ? * [ \ anywhere; `..` and `@{`; a trailing `.` or `/`.
  if (/[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|[./]$/.test(name)) return false;
  return name.split('/').every((component) => component !== '' && !component.startsWith('.') && !component.endsWith('.lock'));
}

/** A commit id as refs may name one: 4 to 64 hex digits. */
export const isCommitId = (ref: string) => /^[0-9a-f]{4,64}$/i.test(ref);
