import { GitLabError, validationError } from '../errors';
import type { ProjectRecord, UserRecord } from '../records';
import { createProject as storeProject, getProject, moveProjectPath, ProjectPathTaken, updateProject } from '../store/projects';
import { openProjectRepository } from '../git/commits';
import { BRANCH_PREFIX } from '../git/ref-names';
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

/** What `PUT /projects/:id` may change. */
export interface ProjectChanges {
  name?: string;
  path?: string;
  description?: string;
  visibility?: ProjectRecord['visibility'];
  publicBuilds?: boolean;
  ciConfigPath?: string;
  buildTimeout?: number;
  ciDefaultGitDepth?: number;
  defaultBranch?: string;
  topics?: string[];
}

const MIN_BUILD_TIMEOUT = 600;
/** Rails' `1.month` (30.436875 days); GitLab wants less than that. */
const BUILD_TIMEOUT_LIMIT = 2_629_746;

/**
 * The model's validations of the project as the change leaves it (`{"message":{"<attr>":["…"]}}`,
 * all at once as Rails reports them).
 */
function changeErrors(project: ProjectRecord, changes: ProjectChanges): Record<string, string[]> {
  const errors: Record<string, string[]> = projectErrors({
    name: changes.name ?? project.name,
    path: changes.path ?? project.path,
    description: changes.description ?? project.description ?? null,
    ciConfigPath: changes.ciConfigPath ?? project.ciConfigPath ?? null,
  });
  if (changes.buildTimeout !== undefined && (changes.buildTimeout < MIN_BUILD_TIMEOUT || changes.buildTimeout >= BUILD_TIMEOUT_LIMIT)) {
    errors.build_timeout = ['needs to be between 10 minutes and 1 month'];
  }
  if (changes.ciDefaultGitDepth !== undefined) {
    if (changes.ciDefaultGitDepth < 0) errors.ci_default_git_depth = ['must be greater than or equal to 0'];
    else if (changes.ciDefaultGitDepth > 1000) errors.ci_default_git_depth = ['must be less than or equal to 1000'];
  }
  return errors;
}

export async function updateProjectSettings(project: ProjectRecord, changes: ProjectChanges): Promise<ProjectRecord> {
  const errors = changeErrors(project, changes);
  if (hasErrors(errors)) throw validationError(errors);
  if (changes.defaultBranch !== undefined && changes.defaultBranch !== project.defaultBranch && !(await openProjectRepository(project.id)).refs.has(`${BRANCH_PREFIX}${changes.defaultBranch}`)) {
    throw new GitLabError(400, { message: `Could not set the default branch. Do you have a branch named '${changes.defaultBranch}' in your repository?` });
  }
  if (changes.path !== undefined && changes.path !== project.path && !(await moveProjectPath(project, changes.path))) {
    throw validationError({ path: ['has already been taken'] });
  }
  const { path: _path, ciConfigPath, ...rest } = changes;
  // An empty `ci_config_path` means the default file.
  const fields: Partial<ProjectRecord> = { ...rest, ...(ciConfigPath !== undefined ? { ciConfigPath: ciConfigPath || '.gitlab-ci.yml' } : {}) };
  await updateProject(project.id, fields);
  return (await getProject(project.id))!;
}
