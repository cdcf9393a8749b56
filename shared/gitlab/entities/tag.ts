import type { CommitRecord, ProjectRecord } from '../records';
import { fullPath } from '../store/projects';
import { commitEntity } from './commit';

/** `Entities::Tag`: `target` is the tag object of an annotated tag, else the commit. */
export interface TagView {
  name: string;
  target: string;
  commit: CommitRecord;
  /** Annotated tags only. */
  message: string;
  createdAt: string | null;
}

export function tagEntity(tag: TagView, project: ProjectRecord) {
  return {
    name: tag.name,
    message: tag.message,
    target: tag.target,
    commit: commitEntity(tag.commit, fullPath(project)),
    release: null,
    protected: false,
    created_at: tag.createdAt,
  };
}
