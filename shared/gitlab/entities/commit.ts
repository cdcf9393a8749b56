import type { CommitRecord } from '../records';
import { webUrl } from './format';

/** `Entities::Commit`. */
export function commitEntity(commit: CommitRecord, projectPath: string) {
  return {
    id: commit.sha,
    short_id: commit.sha.slice(0, 8),
    created_at: commit.committedDate,
    parent_ids: commit.parentIds,
    title: commit.title,
    message: commit.message,
    author_name: commit.authorName,
    author_email: commit.authorEmail,
    authored_date: commit.authoredDate,
    committer_name: commit.committerName,
    committer_email: commit.committerEmail,
    committed_date: commit.committedDate,
    trailers: {},
    extended_trailers: {},
    web_url: webUrl(`${projectPath}/-/commit/${commit.sha}`),
  };
}
