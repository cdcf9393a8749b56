import type { ProjectRecord, UserRecord } from '../records';
import { fullPath } from '../store/projects';
import { iso, webUrl } from './format';
import { avatarUrl, userBasic } from './user';

/** `Entities::Project` (the fields clients read), with `permissions` for the caller. */
export function projectEntity(project: ProjectRecord, owner: UserRecord | undefined, options: { accessLevel: number; emptyRepo: boolean; runnersToken?: string }) {
  const path = fullPath(project);
  const api = webUrl(`api/v4/projects/${project.id}`);
  const host = new URL(webUrl('')).host;
  return {
    id: project.id,
    description: project.description,
    name: project.name,
    name_with_namespace: `${project.namespaceName} / ${project.name}`,
    path: project.path,
    path_with_namespace: path,
    created_at: iso(project.createdAt),
    default_branch: project.defaultBranch,
    tag_list: [],
    topics: [],
    ssh_url_to_repo: `git@${host.split(':')[0]}:${path}.git`,
    http_url_to_repo: webUrl(`${path}.git`),
    web_url: webUrl(path),
    readme_url: null,
    avatar_url: null,
    forks_count: 0,
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
    creator_id: project.creatorId,
    import_status: 'none',
    open_issues_count: 0,
    ci_default_git_depth: 20,
    ci_job_token_scope_enabled: false,
    ci_config_path: project.ciConfigPath,
    build_timeout: 3600,
    auto_cancel_pending_pipelines: 'enabled',
    ...(options.runnersToken ? { runners_token: options.runnersToken } : {}),
    permissions: {
      project_access: options.accessLevel > 0 ? { access_level: options.accessLevel, notification_level: 3 } : null,
      group_access: null,
    },
  };
}
