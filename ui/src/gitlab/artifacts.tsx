import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { gitlab } from '../api';
import { useLoad } from '../data';
import { tokenOf } from '../session';
import { Failure, Loading, Section } from '../view';

interface TreeEntry {
  name: string;
  path: string;
  type: 'directory' | 'file';
  size?: number;
  mode: string;
}

/**
 * A download is a navigation, not a fetch: the archive (and a file too large to stream) answers
 * with a redirect to the bucket, which a fetch under our CSP may not follow. A navigation cannot
 * carry the PRIVATE-TOKEN header, so the token rides as GitLab's `private_token` parameter.
 */
function downloadUrl(api: string): string {
  const token = tokenOf('gitlab');
  return `/api/v4${api}${token ? `?${new URLSearchParams({ private_token: token })}` : ''}`;
}

function size(bytes: number | undefined): string {
  if (bytes === undefined) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Every page of `…/artifacts/tree` below `dir`. */
async function listAll(base: string, dir: string): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  for (let page = 1; ; page++) {
    const answer = await gitlab<TreeEntry[]>('GET', `${base}/artifacts/tree?${new URLSearchParams({ path: dir, per_page: '100', page: String(page) })}`);
    entries.push(...answer.body);
    const next = answer.headers.get('X-Next-Page');
    if (!next) return entries;
  }
}

/** GitLab's artifacts browser: the archive's folders (from `…/artifacts/tree`), each file downloadable, and the whole archive. */
export function Artifacts({ base, expireAt }: { base: string; expireAt: string | null }) {
  const [dir, setDir] = useState('');
  const entries = useLoad(() => listAll(base, dir), `${base}#${dir}`);
  const crumbs = dir.split('/').filter(Boolean);
  return (
    <Section
      title="Artifacts"
      actions={
        <a class="button" href={downloadUrl(`${base}/artifacts`)} download>
          Download archive
        </a>
      }
    >
      {expireAt && <p class="muted">Kept until {new Date(expireAt).toLocaleString()}.</p>}
      <p class="crumbs" data-testid="artifact-path">
        <button class="link" onClick={() => setDir('')}>
          artifacts
        </button>
        {crumbs.map((crumb, index) => (
          <Fragment key={index}>
            {' / '}
            <button class="link" onClick={() => setDir(`${crumbs.slice(0, index + 1).join('/')}/`)}>
              {crumb}
            </button>
          </Fragment>
        ))}
      </p>
      {entries.error && <Failure error={entries.error} />}
      {!entries.data && !entries.error && <Loading />}
      {entries.data && (
        <table class="list" data-testid="artifacts">
          <thead>
            <tr>
              <th>Name</th>
              <th>Size</th>
            </tr>
          </thead>
          <tbody>
            {entries.data.length === 0 && (
              <tr>
                <td colSpan={2} class="muted">
                  Empty folder.
                </td>
              </tr>
            )}
            {entries.data.map((entry) => (
              <tr key={entry.path}>
                <td>
                  {entry.type === 'directory' ? (
                    <button class="link" onClick={() => setDir(entry.path)}>
                      {entry.name}/
                    </button>
                  ) : (
                    <a href={downloadUrl(`${base}/artifacts/${entry.path.split('/').map(encodeURIComponent).join('/')}`)} download={entry.name}>
                      {entry.name}
                    </a>
                  )}
                </td>
                <td>{size(entry.size)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
