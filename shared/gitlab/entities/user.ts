import { createHash } from 'node:crypto';
import type { UserRecord } from '../records';
import { iso, webUrl } from './format';

/** `UserBasic`, and `User` as the Jobs API embeds it (the seeds' fields). */
export function avatarUrl(user: UserRecord): string {
  const digest = createHash('md5').update(user.email.trim().toLowerCase()).digest('hex');
  return `https://www.gravatar.com/avatar/${digest}?s=80&d=identicon`;
}

export function userBasic(user: UserRecord) {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    state: user.state,
    locked: false,
    avatar_url: avatarUrl(user),
    web_url: webUrl(user.username),
  };
}

export function userEntity(user: UserRecord) {
  return {
    ...userBasic(user),
    created_at: iso(user.createdAt),
    bio: null,
    location: null,
    public_email: '',
    skype: '',
    linkedin: '',
    twitter: '',
    discord: '',
    website_url: '',
    organization: '',
    job_title: '',
    pronouns: null,
    bot: false,
    work_information: null,
    local_time: null,
  };
}

/** What `GET /user`, `POST /users` answer (adds the private fields the user or an admin sees). */
export function userDetails(user: UserRecord) {
  return {
    ...userEntity(user),
    email: user.email,
    is_admin: user.admin,
    can_create_project: true,
    two_factor_enabled: false,
    external: false,
    private_profile: false,
    last_sign_in_at: null,
    confirmed_at: iso(user.createdAt),
    last_activity_on: null,
    projects_limit: 100000,
    identities: [],
  };
}
