import { structuredPatch } from 'diff';
import { readObject, type ObjectReader } from './repository';
import type { TreeChange } from './tree-diff';

/**
 * A file change as GitLab shows it (`Entities::Diff`): the hunks of `git diff` with 3 lines of
 * context, without the `diff --git`/`---`/`+++` headers (GitLab's `json_safe_diff`; `unidiff`
 * adds the `---`/`+++` pair), and the line counts that make a commit's `stats`.
 */
export interface FilePatch {
  change: TreeChange;
  /** The hunks; empty for a mode change or an exact rename, `Binary files … differ` for binary content. */
  diff: string;
  additions: number;
  deletions: number;
  tooLarge: boolean;
}

/** Gitaly's per-file patch limit: beyond it the diff is left out and marked `too_large`. */
const MAX_PATCH_BYTES = 200 * 1024;

async function blobOf(repo: ObjectReader, oid: string | undefined): Promise<Buffer> {
  if (!oid) return Buffer.alloc(0);
  const read = await readObject(repo, oid);
  return read.type === 'blob' ? Buffer.from(read.object) : Buffer.alloc(0);
}

/** Git's test for binary content: a NUL byte in the first 8,000 bytes. */
const isBinary = (data: Buffer) => data.subarray(0, 8000).includes(0);

const range = (start: number, count: number) => (count === 1 ? `${start}` : `${start},${count}`);

export async function patchOf(repo: ObjectReader, change: TreeChange): Promise<FilePatch> {
  const gitlink = change.oldMode === '160000' || change.newMode === '160000';
  const [before, after] = gitlink ? [Buffer.alloc(0), Buffer.alloc(0)] : await Promise.all([blobOf(repo, change.oldOid), blobOf(repo, change.newOid)]);
  if (gitlink) {
    const line = (sign: string, oid: string | undefined) => (oid ? [`${sign}Subproject commit ${oid}\n`] : []);
    const lines = [...line('-', change.oldOid), ...line('+', change.newOid)];
    const header = `@@ -${range(change.oldOid ? 1 : 0, change.oldOid ? 1 : 0)} +${range(change.newOid ? 1 : 0, change.newOid ? 1 : 0)} @@\n`;
    return { change, diff: header + lines.join(''), additions: change.newOid ? 1 : 0, deletions: change.oldOid ? 1 : 0, tooLarge: false };
  }
  if (change.oldOid === change.newOid) return { change, diff: '', additions: 0, deletions: 0, tooLarge: false };
  if (isBinary(before) || isBinary(after)) {
    return { change, diff: `Binary files a/${change.oldPath} and b/${change.newPath} differ\n`, additions: 0, deletions: 0, tooLarge: false };
  }
  const patch = structuredPatch(change.oldPath, change.newPath, before.toString('utf8'), after.toString('utf8'), undefined, undefined, { context: 3 });
  let additions = 0;
  let deletions = 0;
  const parts: string[] = [];
  for (const hunk of patch.hunks) {
    // An empty side is numbered from the line before it, as git does (`-0,0` for a new file).
    const oldStart = hunk.oldLines === 0 ? Math.max(hunk.oldStart - 1, 0) : hunk.oldStart;
    const newStart = hunk.newLines === 0 ? Math.max(hunk.newStart - 1, 0) : hunk.newStart;
    parts.push(`@@ -${range(oldStart, hunk.oldLines)} +${range(newStart, hunk.newLines)} @@\n`);
    for (const line of hunk.lines) {
      if (line.startsWith('+')) additions++;
      else if (line.startsWith('-')) deletions++;
      parts.push(`${line}\n`);
    }
  }
  const diff = parts.join('');
  const tooLarge = Buffer.byteLength(diff) > MAX_PATCH_BYTES;
  return { change, diff: tooLarge ? '' : diff, additions, deletions, tooLarge };
}

/** `unidiff=true`: the hunks under git's `---`/`+++` file headers. */
export function unidiff(patch: FilePatch): string {
  const { change } = patch;
  if (patch.diff === '' || patch.diff.startsWith('Binary files')) return patch.diff;
  const oldName = change.status === 'added' ? '/dev/null' : `a/${change.oldPath}`;
  const newName = change.status === 'deleted' ? '/dev/null' : `b/${change.newPath}`;
  return `--- ${oldName}\n+++ ${newName}\n${patch.diff}`;
}
