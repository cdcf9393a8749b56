import { unidiff, type FilePatch } from '../git/patch';

/** `Entities::Diff`; `enableUnidiff` adds the `---`/`+++` headers (`unidiff=true`). */
export function diffEntity(patch: FilePatch, enableUnidiff = false) {
  const { change } = patch;
  return {
    diff: enableUnidiff ? unidiff(patch) : patch.diff,
    collapsed: false,
    too_large: patch.tooLarge,
    new_path: change.newPath,
    old_path: change.oldPath,
    a_mode: change.oldMode,
    b_mode: change.newMode,
    new_file: change.status === 'added',
    renamed_file: change.status === 'renamed',
    deleted_file: change.status === 'deleted',
    generated_file: false,
  };
}

/** `Entities::CommitStats`. */
export function statsEntity(patches: FilePatch[]) {
  const additions = patches.reduce((sum, patch) => sum + patch.additions, 0);
  const deletions = patches.reduce((sum, patch) => sum + patch.deletions, 0);
  return { additions, deletions, total: additions + deletions };
}
