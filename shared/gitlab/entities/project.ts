import type { ProjectRecord, UserRecord } from '../records';
import { fullPath } from '../store/projects';
import { iso, pageUrl, webUrl } from './format';
import { avatarUrl, userBasic } from './user';

/** GitLab's default job timeout (the project's `build_timeout`), one hour. */
export const DEFAULT_BUILD_TIMEOUT = 3600;

export interface ProjectStatistics {
  commitCount: number;
  repositorySize: number;
  jobArtifactsSize: number;
}

/** `Entities::BasicProjectDetails` (lists with `simple=true`, anonymous lists). */
export function basicProjectDetails(project: ProjectRecord, owner: UserRecord | undefined) {
  const path = fullPath(project);
  const host = new URL(webUrl('')).host;
  const topics = [...(project.topics ?? [])].sort();
  return {
    id: project.id,
    description: project.description,
    name: project.name,
    name_with_namespace: `${project.namespaceName} / ${project.name}`,
    path: project.path,
    path_with_namespace: path,
    created_at: iso(project.createdAt),
    default_branch: project.defaultBranch,
    tag_list: topics,
    topics,
    ssh_url_to_repo: `git@${host.split(':')[0]}:${path}.git`,
    http_url_to_repo: webUrl(`${path}.git`),
    web_url: pageUrl(path),
    readme_url: null,
    forks_count: 0,
    avatar_url: null,
    star_count: 0,
    last_activity_at: iso(project.updatedAt),
    namespace: {
      id: project.creatorId,
      name: project.namespaceName,
      path: project.namespacePath,
      kind: 'user',
      full_path: project.namespacePath,
      parent_id: null,
      avatar_url: owner ? avatarUrl(owner) : null,
      web_url: webUrl(project.namespacePath),
    },
  };
}

function statisticsEntity(statistics: ProjectStatistics) {
  return {
    commit_count: statistics.commitCount,
    storage_size: statistics.repositorySize + statistics.jobArtifactsSize,
    repository_size: statistics.repositorySize,
    wiki_size: 0,
    lfs_objects_size: 0,
    job_artifacts_size: statistics.jobArtifactsSize,
    pipeline_artifacts_size: 0,
    packages_size: 0,
    snippets_size: 0,
    uploads_size: 0,
    container_registry_size: 0,
  };
}

/** `Entities::Project` (the fields clients read), with `permissions` for the caller (`ProjectWithAccess`). */
export function projectEntity(
  project: ProjectRecord,
  owner: UserRecord | undefined,
  options: { accessLevel: number; emptyRepo: boolean; runnersToken?: string; statistics?: ProjectStatistics },
) {
  const api = webUrl(`api/v4/projects/${project.id}`);
  return {
    ...basicProjectDetails(project, owner),
    _links: {
      self: api,
      issues: `${api}/issues`,
      merge_requests: `${api}/merge_requests`,
      repo_branches: `${api}/repository/branches`,
      labels: `${api}/labels`,
      events: `${api}/events`,
      members: `${api}/members`,
      cluster_agents: `${api}/cluster_agents`,
    },
    empty_repo: options.emptyRepo,
    archived: false,
    visibility: project.visibility,
    owner: owner ? userBasic(owner) : null,
    jobs_enabled: true,
    builds_access_level: 'enabled',
    repository_access_level: 'enabled',
    public_jobs: project.publicBuilds,
    shared_runners_enabled: true,
    group_runners_enabled: false,
    creator_id: project.creatorId,
    import_status: 'none',
    open_issues_count: 0,
    updated_at: iso(project.updatedAt),
    ci_default_git_depth: project.ciDefaultGitDepth ?? 20,
    ci_job_token_scope_enabled: false,
    ci_config_path: project.ciConfigPath,
    build_timeout: project.buildTimeout ?? DEFAULT_BUILD_TIMEOUT,
    auto_cancel_pending_pipelines: 'enabled',
    restrict_user_defined_variables: false,
    ci_pipeline_variables_minimum_override_role: 'developer',
    repository_object_format: 'sha1',
    ...(options.runnersToken ? { runners_token: options.runnersToken } : {}),
    ...(options.statistics ? { statistics: statisticsEntity(options.statistics) } : {}),
    permissions: {
      project_access: options.accessLevel > 0 ? { access_level: options.accessLevel, notification_level: 3 } : null,
      group_access: null,
    },
  };
}
