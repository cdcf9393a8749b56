import { metadataEntity } from '../entities/metadata';
import { authenticated } from './request';
import { handlers, route } from './routing';

/** `GET /metadata` and its deprecated twin `GET /version` (`lib/api/metadata.rb`): signed-in callers only. */
const show = handlers(authenticated({ required: true, readScopes: ['read_user'] }), (c) => c.json(metadataEntity()));

route('GET', '/metadata', show);
route('GET', '/version', show);
