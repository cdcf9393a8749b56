import type { CommitRecord, ProjectRecord } from '../records';
import { fullPath } from '../store/projects';
import { commitEntity } from './commit';
import { webUrl } from './format';

/** `Entities::Branch`. */
export interface BranchView {
  name: string;
  commit: CommitRecord;
  merged: boolean;
  protected: boolean;
  canPush: boolean;
}

export function branchEntity(branch: BranchView, project: ProjectRecord) {
  const path = fullPath(project);
  return {
    name: branch.name,
    commit: commitEntity(branch.commit, path),
    merged: branch.merged,
    protected: branch.protected,
    // The default branch's protection lets maintainers push and merge, not developers.
    developers_can_push: false,
    developers_can_merge: false,
    can_push: branch.canPush,
    default: project.defaultBranch === branch.name,
    web_url: webUrl(`${path}/-/tree/${branch.name}`),
  };
}
