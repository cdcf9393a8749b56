import type { ProjectRecord } from '../records';

/**
 * GitLab's `ProjectsFinder` on plain data: which projects a caller sees in `GET /projects`, with
 * its filters, and the order the list comes in.
 */
export const PROJECT_ORDERS = ['id', 'name', 'path', 'created_at', 'updated_at', 'last_activity_at', 'similarity', 'star_count'] as const;
export type ProjectOrder = (typeof PROJECT_ORDERS)[number];

export interface ProjectViewer {
  userId: number | null;
  admin: boolean;
  /** The viewer's membership level per project id. */
  memberships: ReadonlyMap<number, number>;
}

export interface ProjectFilters {
  search?: string;
  /** The search also matches the namespace's path (`search_namespaces`). */
  searchNamespaces?: boolean;
  /** Projects with every one of these topics. */
  topics?: string[];
  owned?: boolean;
  membership?: boolean;
  visibility?: ProjectRecord['visibility'];
  minAccessLevel?: number;
  archived?: boolean;
  idAfter?: number;
  idBefore?: number;
}

export function visibleTo(project: ProjectRecord, viewer: ProjectViewer): boolean {
  if (viewer.admin || viewer.memberships.has(project.id) || project.visibility === 'public') return true;
  return project.visibility === 'internal' && viewer.userId !== null;
}

function matchesSearch(project: ProjectRecord, search: string, namespaces: boolean): boolean {
  const needle = search.toLowerCase();
  const fields = [project.name, project.path, project.description ?? '', ...(namespaces ? [`${project.namespacePath}/${project.path}`] : [])];
  return fields.some((text) => text.toLowerCase().includes(needle));
}

export function filterProjects(projects: readonly ProjectRecord[], viewer: ProjectViewer, filters: ProjectFilters): ProjectRecord[] {
  return projects.filter((project) => {
    if (!visibleTo(project, viewer)) return false;
    if (filters.search !== undefined && !matchesSearch(project, filters.search, filters.searchNamespaces ?? false)) return false;
    if (filters.topics && !filters.topics.every((topic) => (project.topics ?? []).some((own) => own.toLowerCase() === topic.toLowerCase()))) return false;
    // We have no groups: a project's namespace is its creator's, so its owner is the creator.
    if (filters.owned && project.creatorId !== viewer.userId) return false;
    if (filters.membership && !viewer.memberships.has(project.id)) return false;
    if (filters.visibility !== undefined && project.visibility !== filters.visibility) return false;
    if (filters.minAccessLevel !== undefined && (viewer.memberships.get(project.id) ?? 0) < filters.minAccessLevel) return false;
    // Archiving does not exist here: every project is unarchived.
    if (filters.archived === true) return false;
    if (filters.idAfter !== undefined && project.id <= filters.idAfter) return false;
    if (filters.idBefore !== undefined && project.id >= filters.idBefore) return false;
    return true;
  });
}

/** How close a name is to the search (GitLab's `similarity`: exact, then prefix, then anywhere). */
function similarity(project: ProjectRecord, search: string): number {
  const needle = search.toLowerCase();
  const scores = [project.name, project.path].map((text) => {
    const value = text.toLowerCase();
    return value === needle ? 3 : value.startsWith(needle) ? 2 : value.includes(needle) ? 1 : 0;
  });
  return Math.max(...scores);
}

function sortValue(project: ProjectRecord, order: ProjectOrder, search: string | undefined): string | number {
  switch (order) {
    case 'id':
    case 'star_count':
      return order === 'id' ? project.id : 0;
    case 'name':
      return project.name.toLowerCase();
    case 'path':
      return project.path.toLowerCase();
    case 'created_at':
      return project.createdAt;
    case 'updated_at':
    case 'last_activity_at':
      return project.updatedAt;
    case 'similarity':
      return search === undefined ? 0 : similarity(project, search);
  }
}

/** Ordered by `order` in `sort` direction, ties by id in the same direction, as GitLab's keyset-friendly orders do. */
export function orderProjects(projects: readonly ProjectRecord[], order: ProjectOrder, sort: 'asc' | 'desc', search?: string): ProjectRecord[] {
  const direction = sort === 'asc' ? 1 : -1;
  return [...projects].sort((a, b) => {
    const left = sortValue(a, order, search);
    const right = sortValue(b, order, search);
    const byValue = left < right ? -1 : left > right ? 1 : 0;
    return (byValue || a.id - b.id) * direction;
  });
}
