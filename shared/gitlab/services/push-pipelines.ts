import { GitLabError } from '../errors';
import type { ProjectRecord, UserRecord } from '../records';
import { commitIn } from '../git/commits';
import { BRANCH_PREFIX, TAG_PREFIX, ZERO_OID } from '../git/ref-names';
import { peelToCommit, type Repository } from '../git/repository';
import { createPipeline } from './pipeline-engine';

/**
 * What GitLab's post-receive does for CI: one `push` pipeline per pushed branch head or tag, from
 * the CI file of the pushed commit. Deletions start nothing; `-o ci.skip` skips the whole push and
 * `[ci skip]` / `[skip ci]` in the head commit's message skips its ref. A ref whose commit has no
 * CI file (or a file that yields no jobs) gets no pipeline, as in GitLab.
 */
export interface PushedRefs {
  project: ProjectRecord;
  user: UserRecord;
  repo: Repository;
  updates: { name: string; old: string; new: string }[];
  pushOptions: string[];
}

const SKIP = /\[(ci[ _-]skip|skip[ _-]ci)\]/i;

export async function afterPush(push: PushedRefs): Promise<void> {
  if (push.pushOptions.some((option) => option === 'ci.skip')) return;
  for (const update of push.updates) {
    if (update.new === ZERO_OID) continue;
    const tag = update.name.startsWith(TAG_PREFIX);
    if (!tag && !update.name.startsWith(BRANCH_PREFIX)) continue;
    const sha = await peelToCommit(push.repo, update.new);
    const commit = sha ? await commitIn(push.repo, sha) : undefined;
    if (!commit || SKIP.test(commit.message)) continue;
    try {
      await createPipeline({
        project: push.project,
        user: push.user,
        ref: update.name.slice(tag ? TAG_PREFIX.length : BRANCH_PREFIX.length),
        sha: commit.sha,
        beforeSha: tag ? ZERO_OID : update.old,
        tag,
        source: 'push',
        variables: [],
      });
    } catch (error) {
      // A missing or invalid CI file refuses the pipeline, never the push that already landed.
      if (!(error instanceof GitLabError)) throw error;
    }
  }
}
