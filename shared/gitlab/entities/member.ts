import type { UserRecord } from '../records';
import type { MemberRecord } from '../store/projects';
import { iso } from './format';
import { userBasic } from './user';

/** `Entities::Member`. */
export function memberEntity(member: MemberRecord, user: UserRecord) {
  return {
    ...userBasic(user),
    access_level: member.accessLevel,
    created_at: iso(member.createdAt),
    expires_at: null,
    membership_state: 'active',
  };
}
