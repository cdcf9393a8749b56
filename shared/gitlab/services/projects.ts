import { validationError } from '../errors';
import type { ProjectRecord, UserRecord } from '../records';
import { createProject as storeProject, ProjectPathTaken } from '../store/projects';
import { resetProjectRegistrationToken } from './runners';
import { writeFile } from './repository-files';
import { hasErrors } from '../validations/messages';
import { projectErrors } from '../validations/project';
import { isValidBranchName } from '../validations/ref-name';

/**
 * `POST /projects`: a project in the creator's namespace (we have no groups), the creator its
 * owner, with a runner registration token, optionally a first commit with a README.
 */
export interface NewProject {
  name?: string;
  path?: string;
  description?: string;
  visibility?: ProjectRecord['visibility'];
  publicBuilds?: boolean;
  defaultBranch?: string;
  initializeWithReadme?: boolean;
  ciConfigPath?: string;
}

/** GitLab's path from a name: lower case, runs of other characters as one dash. */
function pathFromName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_.]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '');
}

export async function createProject(user: UserRecord, input: NewProject): Promise<{ project: ProjectRecord; runnersToken: string }> {
  const path = input.path ?? pathFromName(input.name ?? '');
  const name = input.name ?? path;
  const errors = projectErrors({ name, path, description: input.description ?? null, ciConfigPath: input.ciConfigPath ?? null });
  if (input.initializeWithReadme && input.defaultBranch !== undefined && !isValidBranchName(input.defaultBranch)) errors.default_branch = ['is invalid'];
  if (hasErrors(errors)) throw validationError(errors);
  let project: ProjectRecord;
  try {
    project = await storeProject({
      name,
      path,
      namespacePath: user.username,
      namespaceName: user.name,
      description: input.description ?? null,
      visibility: input.visibility ?? 'private',
      publicBuilds: input.publicBuilds ?? true,
      defaultBranch: null,
      ciConfigPath: input.ciConfigPath || '.gitlab-ci.yml',
      creatorId: user.id,
    });
  } catch (error) {
    if (error instanceof ProjectPathTaken) {
      throw validationError({ 'project_namespace.name': ['has already been taken'], name: ['has already been taken'], path: ['has already been taken'] });
    }
    throw error;
  }
  const runnersToken = await resetProjectRegistrationToken(project.id);
  if (input.initializeWithReadme) {
    const branch = input.defaultBranch ?? 'main';
    await writeFile({
      project,
      user,
      branch,
      filePath: 'README.md',
      content: Buffer.from(`# ${name}\n`),
      commitMessage: 'Initial commit',
      mode: 'create',
    });
    project = { ...project, defaultBranch: branch };
  }
  return { project, runnersToken };
}
