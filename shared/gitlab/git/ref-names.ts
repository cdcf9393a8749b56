/**
 * Git's rules for ref names (`git check-ref-format`), for the names a push may create: no
 * component starting with `.` or ending in `.lock`, no `..`, no control characters, space, `~ ^ : ? * [ \`,
 * no `@{`, not `@`, no leading, trailing or doubled `/`, no trailing `.`.
 */
export function isValidRefName(name: string): boolean {
  if (name === '@' || name.length === 0) return false;
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return false;
  if (name.endsWith('.') || name.includes('..') || name.includes('@{')) return false;
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return false;
  const components = name.split('/');
  if (components.length < 2) return false;
  return components.every((component) => !component.startsWith('.') && !component.endsWith('.lock'));
}

/** Refs GitLab keeps for itself (Gitaly's hidden refs): served to no push, refused to every push. */
const HIDDEN_PREFIXES = ['refs/pipelines/', 'refs/merge-requests/', 'refs/environments/', 'refs/keep-around/', 'refs/tmp/'];

export function isHiddenRef(name: string): boolean {
  return HIDDEN_PREFIXES.some((prefix) => name.startsWith(prefix));
}

export const BRANCH_PREFIX = 'refs/heads/';
export const TAG_PREFIX = 'refs/tags/';
export const ZERO_OID = '0000000000000000000000000000000000000000';
