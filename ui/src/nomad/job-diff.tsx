import type { ComponentChildren } from 'preact';

/** Nomad's structured job diff (`GET /v1/job/:id/versions?diffs=true`, `POST /v1/job/:id/plan?diff=true`). */
export interface FieldDiff {
  Type: string;
  Name: string;
  Old: string;
  New: string;
  Annotations?: string[] | null;
}

export interface ObjectDiff {
  Type: string;
  Name: string;
  Fields?: FieldDiff[] | null;
  Objects?: ObjectDiff[] | null;
}

interface TaskDiff extends ObjectDiff {
  Annotations?: string[] | null;
}

interface TaskGroupDiff extends ObjectDiff {
  Tasks?: TaskDiff[] | null;
  Updates?: Record<string, number> | null;
}

export interface JobDiff {
  Type: string;
  ID: string;
  Fields?: FieldDiff[] | null;
  Objects?: ObjectDiff[] | null;
  TaskGroups?: TaskGroupDiff[] | null;
}

const MARK: Record<string, string> = { Added: '+', Deleted: '-', Edited: '~', None: ' ' };

function changed(diff: { Type: string }): boolean {
  return diff.Type !== 'None';
}

function Field({ field }: { field: FieldDiff }) {
  const notes = field.Annotations?.length ? ` (${field.Annotations.join(', ')})` : '';
  return (
    <div class={`diff-line diff-${field.Type.toLowerCase()}`}>
      {MARK[field.Type] ?? ' '} {field.Name}:{' '}
      {field.Type === 'Edited' ? (
        <>
          <del>{JSON.stringify(field.Old)}</del> → <ins>{JSON.stringify(field.New)}</ins>
        </>
      ) : (
        JSON.stringify(field.Type === 'Deleted' ? field.Old : field.New)
      )}
      {notes}
    </div>
  );
}

/** An object's (or group's, or task's) changed fields and sub-objects, nested as Nomad's CLI prints them. */
function Block({ label, diff, children }: { label: string; diff: ObjectDiff; children?: ComponentChildren }) {
  return (
    <div class="diff-block">
      <div class={`diff-line diff-${diff.Type.toLowerCase()}`}>
        {MARK[diff.Type] ?? ' '} {label} {`{`}
      </div>
      <div class="diff-body">
        {(diff.Fields ?? []).filter(changed).map((field) => (
          <Field key={field.Name} field={field} />
        ))}
        {(diff.Objects ?? []).filter(changed).map((object, index) => (
          <Block key={`${object.Name}-${index}`} label={object.Name} diff={object} />
        ))}
        {children}
      </div>
      <div class="diff-line">{'}'}</div>
    </div>
  );
}

export function JobDiffView({ diff }: { diff: JobDiff }) {
  if (!changed(diff)) return <p class="muted">No changes.</p>;
  return (
    <div class="diff" data-testid="diff">
      <Block label={`Job "${diff.ID}"`} diff={{ ...diff, Name: diff.ID }}>
        {(diff.TaskGroups ?? []).filter(changed).map((group) => (
          <Block key={group.Name} label={`Task Group "${group.Name}"`} diff={group}>
            {(group.Tasks ?? []).filter(changed).map((task) => (
              <Block key={task.Name} label={`Task "${task.Name}"${task.Annotations?.length ? ` (${task.Annotations.join(', ')})` : ''}`} diff={task} />
            ))}
          </Block>
        ))}
      </Block>
    </div>
  );
}
