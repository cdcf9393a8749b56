import { metadataEntity } from '../entities/metadata';
import { authenticated } from './request';
import { handlers, type GitLabApi } from './routing';

/** `GET /metadata` and its deprecated twin `GET /version` (`lib/api/metadata.rb`): signed-in callers only. */
const show = handlers(authenticated({ required: true, readScopes: ['read_user'] }), (c) => c.json(metadataEntity()));

export function mountMetadataRoutes(api: GitLabApi): void {
  api.get('/metadata', ...show);
  api.get('/version', ...show);
}
