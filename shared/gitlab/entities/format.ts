import { config } from '../../config';

/** GitLab's time format (ISO 8601 UTC with milliseconds), `null` for none. */
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

export function webUrl(path: string): string {
  return `${config().externalUrl}/${path}`;
}

/** A page of GitLab's web interface: the web UI serves GitLab's page paths under /ui/. */
export function pageUrl(path: string): string {
  return `${config().externalUrl}/ui/${path}`;
}
