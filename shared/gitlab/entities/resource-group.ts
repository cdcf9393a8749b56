import type { ResourceGroupRecord } from '../state/resource-groups';
import { iso } from './format';

/** `Entities::Ci::ResourceGroup`. */
export function resourceGroupEntity(group: ResourceGroupRecord) {
  return { id: group.id, key: group.key, process_mode: group.processMode, created_at: iso(group.createdAt), updated_at: iso(group.updatedAt) };
}
