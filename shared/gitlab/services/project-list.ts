import type { Principal } from '../auth/principal';
import type { ProjectRecord } from '../records';
import { filterProjects, orderProjects, type ProjectFilters, type ProjectOrder } from '../state/project-finder';
import { listAllProjects, membershipsOf } from '../store/projects';

/** `GET /projects`: every project the caller may see that passes the filters, in order, with the caller's membership levels. */
export async function findProjects(
  principal: Principal,
  filters: ProjectFilters,
  order: { by: ProjectOrder; sort: 'asc' | 'desc' },
): Promise<{ projects: ProjectRecord[]; memberships: Map<number, number> }> {
  const all = await listAllProjects();
  const userId = principal.kind === 'anonymous' ? null : principal.user.id;
  const members = userId === null ? new Map() : await membershipsOf(userId, all.map((project) => project.id));
  const memberships = new Map([...members.values()].map((member) => [member.projectId, member.accessLevel as number]));
  const admin = principal.kind === 'user' && principal.user.admin;
  const projects = orderProjects(filterProjects(all, { userId, admin, memberships }, filters), order.by, order.sort, filters.search);
  return { projects, memberships };
}
