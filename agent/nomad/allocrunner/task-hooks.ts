import type { TaskEventFields, TaskEventTypeName } from './task-events';

/**
 * What runs around a task's start, as Nomad's task runner hooks: `prestart` before every start
 * (artifacts, then templates) gives environment variables to add; it fails with a
 * PrestartFailure that either counts against the restart policy (a failed download, as Nomad's
 * recoverable hook errors) or kills the task for good (a template that cannot render).
 */
export interface TaskHooks {
  prestart(signal: AbortSignal): Promise<Record<string, string>>;
  /** The task was found running by a restarted agent: watch again what prestart set up. */
  restored?(): void;
  stop(): void;
}

export class PrestartFailure extends Error {
  constructor(
    readonly event: { type: TaskEventTypeName; fields: TaskEventFields },
    readonly outcome: 'restart' | 'kill',
  ) {
    super(event.fields.DisplayMessage ?? event.fields.DownloadError ?? event.type);
  }
}
