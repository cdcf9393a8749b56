import type { UserRecord } from '../records';

/** GitLab's `UsersFinder` on plain data, for `GET /users`. */
export const USER_ORDERS = ['id', 'name', 'username', 'created_at', 'updated_at'] as const;

export interface UserFilters {
  search?: string;
  active?: boolean;
  blocked?: boolean;
  admins?: boolean;
  /** Administrators also find users by e-mail address (others by public e-mail, which nobody has here). */
  searchEmail: boolean;
}

export function filterUsers(users: readonly UserRecord[], filters: UserFilters): UserRecord[] {
  const needle = filters.search?.toLowerCase();
  return users.filter((user) => {
    if (filters.active && user.state !== 'active') return false;
    if (filters.blocked && user.state !== 'blocked') return false;
    if (filters.admins && !user.admin) return false;
    if (needle !== undefined) {
      const fields = [user.name, user.username, ...(filters.searchEmail ? [user.email] : [])];
      if (!fields.some((field) => field.toLowerCase().includes(needle))) return false;
    }
    return true;
  });
}

export function orderUsers(users: readonly UserRecord[], order: (typeof USER_ORDERS)[number], sort: 'asc' | 'desc'): UserRecord[] {
  const direction = sort === 'asc' ? 1 : -1;
  const value = (user: UserRecord): string | number =>
    order === 'name' ? user.name.toLowerCase() : order === 'username' ? user.username.toLowerCase() : order === 'id' ? user.id : user.createdAt;
  return [...users].sort((a, b) => {
    const left = value(a);
    const right = value(b);
    return ((left < right ? -1 : left > right ? 1 : 0) || a.id - b.id) * direction;
  });
}
