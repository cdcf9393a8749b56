import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { useAction } from '../action';
import { nomad } from '../api';
import { useBlocking } from '../data';
import { ago, Failure, Loading, Section } from '../view';
import { JobDiffView, type JobDiff } from './job-diff';

interface Version {
  Version: number;
  Stable: boolean;
  SubmitTime: number;
  Stop: boolean;
  VersionTag?: { Name: string; Description: string } | null;
}

interface Versions {
  Versions: Version[];
  Diffs: JobDiff[] | null;
}

/**
 * A job's versions, newest first, each with its diff against the one before (as `nomad job history -p`
 * shows), and a revert to any older one. Kept live with blocking queries.
 */
export function JobVersions({ jobId, namespace, current }: { jobId: string; namespace: string; current: number }) {
  const base = `/job/${encodeURIComponent(jobId)}`;
  const versions = useBlocking<Versions>(`${base}/versions?diffs=true&namespace=${encodeURIComponent(namespace)}`);
  const [open, setOpen] = useState<number>();
  const revert = useAction();
  return (
    <Section title="Versions">
      {versions.error && <Failure error={versions.error} />}
      {revert.error && <Failure error={revert.error} />}
      {!versions.data && !versions.error && <Loading />}
      {versions.data && (
        <table class="list" data-testid="versions">
          <thead>
            <tr>
              <th>Version</th>
              <th>Stable</th>
              <th>Submitted</th>
              <th>Changes</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {versions.data.Versions.map((version, index) => {
              const diff = versions.data!.Diffs?.[index];
              const shown = open === version.Version;
              return (
                <Fragment key={version.Version}>
                  <tr data-version={version.Version}>
                    <td>
                      v{version.Version}
                      {version.VersionTag?.Name ? ` (${version.VersionTag.Name})` : ''}
                    </td>
                    <td>{version.Stable ? 'yes' : 'no'}</td>
                    <td>{ago(version.SubmitTime)}</td>
                    <td>
                      {diff ? (
                        <button class="link" aria-expanded={shown} onClick={() => setOpen(shown ? undefined : version.Version)}>
                          {shown ? 'Hide diff' : `Diff with v${versions.data!.Versions[index + 1]?.Version ?? version.Version - 1}`}
                        </button>
                      ) : (
                        <span class="muted">first version</span>
                      )}
                    </td>
                    <td>
                      {version.Version !== current && (
                        <button
                          disabled={revert.busy}
                          onClick={() => revert.run(() => nomad('POST', `${base}/revert?namespace=${encodeURIComponent(namespace)}`, { JobID: jobId, JobVersion: version.Version, EnforcePriorVersion: current }))}
                        >
                          Revert to v{version.Version}
                        </button>
                      )}
                    </td>
                  </tr>
                  {shown && diff && (
                    <tr>
                      <td colSpan={5}>
                        <JobDiffView diff={diff} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
    </Section>
  );
}
