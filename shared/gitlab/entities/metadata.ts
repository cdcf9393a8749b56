import { version as jobplaneVersion } from '../../../package.json';

/**
 * What `GET /metadata` and `GET /version` answer (`lib/api/metadata.rb`): the GitLab version whose
 * API we speak, so clients that compare versions take the features of 17.x for granted, and our
 * own version in `revision`. There is no KAS here; the community edition says `enterprise: false`.
 */
export const GITLAB_API_VERSION = '17.11.0';

export function metadataEntity() {
  return {
    version: GITLAB_API_VERSION,
    revision: `jobplane-${jobplaneVersion}`,
    kas: { enabled: false, externalUrl: null, version: null },
    enterprise: false,
  };
}
