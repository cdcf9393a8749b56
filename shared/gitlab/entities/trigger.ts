import type { TriggerRecord, UserRecord } from '../records';
import { iso } from './format';
import { userBasic } from './user';

/** `Entities::Trigger` through GitLab's `TriggerPresenter`: the token in full only for whom may administer it. */
export const TRIGGER_TOKEN_PREFIX = 'glptt-';

/** `Ci::Trigger#short_token`: the first four characters after the prefix. */
export function shortToken(token: string): string {
  return token.slice(TRIGGER_TOKEN_PREFIX.length, TRIGGER_TOKEN_PREFIX.length + 4);
}

export function triggerEntity(trigger: TriggerRecord, owner: UserRecord | undefined, tokenExposed: boolean) {
  return {
    id: trigger.id,
    token: tokenExposed ? trigger.token : shortToken(trigger.token),
    description: trigger.description,
    created_at: iso(trigger.createdAt),
    updated_at: iso(trigger.updatedAt),
    last_used: iso(trigger.lastUsed),
    expires_at: null,
    owner: owner ? userBasic(owner) : null,
  };
}
