import type { Repository } from '../git/repository';
import { can, projectAccess } from '../auth/policy';
import type { Principal } from '../auth/principal';
import { ConfigError } from '../ci-config/errors';
import type { IncludeReader } from '../ci-config/includes';
import type { CommitRecord } from '../records';
import { fileIn, openProjectRepository, resolveIn } from '../git/commits';
import { getProjectByPath } from '../store/projects';

/**
 * Where `include:` reads files: `local:` ones from the pipeline's commit, `project:` ones from
 * another project at its ref (or default branch), if whoever creates the pipeline may read that
 * project's code; GitLab's messages otherwise.
 */
export function includeReader(repo: Repository | undefined, commit: CommitRecord | undefined, principal: Principal | undefined): IncludeReader {
  const opened = new Map<string, Promise<{ repo: Repository; commit: CommitRecord }>>();

  async function openOther(path: string, ref: string | null): Promise<{ repo: Repository; commit: CommitRecord }> {
    const project = await getProjectByPath(path);
    const access = project && principal ? await projectAccess(principal, project) : undefined;
    if (!project || !access || !can(access, 'read_code')) {
      throw new ConfigError([`Project \`${path}\` not found or access denied! Make sure any includes in the pipeline configuration are correctly defined.`]);
    }
    const otherRepo = await openProjectRepository(project.id);
    const wanted = ref ?? project.defaultBranch;
    const otherCommit = wanted ? await resolveIn(otherRepo, wanted) : undefined;
    if (!otherCommit) throw new ConfigError([`Project \`${path}\` reference \`${wanted ?? ''}\` does not exist!`]);
    return { repo: otherRepo, commit: otherCommit };
  }

  return {
    async read(source, path) {
      if (source.project === null) return repo && commit ? (await fileIn(repo, commit, path))?.content.toString('utf8') : undefined;
      const key = `${source.project}@${source.ref ?? ''}`;
      let other = opened.get(key);
      if (!other) opened.set(key, (other = openOther(source.project, source.ref)));
      const { repo: otherRepo, commit: otherCommit } = await other;
      return (await fileIn(otherRepo, otherCommit, path))?.content.toString('utf8');
    },
  };
}
