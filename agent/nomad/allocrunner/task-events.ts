import type { TaskEvent } from '../../../shared/nomad/structs/allocation';
import { formatGoDuration } from '../../common/go-duration';

/**
 * Nomad's task events: the type names, the fields each type sets, the `Details` map and the
 * `DisplayMessage` the CLI and UI show, built the way Nomad's client builds them. Pure; times are
 * unix nanoseconds, durations nanoseconds.
 */
export const TaskEventType = {
  Received: 'Received',
  Setup: 'Task Setup',
  SetupFailure: 'Setup Failure',
  DriverFailure: 'Driver Failure',
  Started: 'Started',
  Terminated: 'Terminated',
  Killing: 'Killing',
  Killed: 'Killed',
  Restarting: 'Restarting',
  NotRestarting: 'Not Restarting',
  SiblingFailed: 'Sibling Task Failed',
  LeaderDead: 'Leader Task Dead',
  MainDead: 'Main Tasks Dead',
  WaitingShutdownDelay: 'Waiting for shutdown delay',
  SkippingShutdownDelay: 'Skipping shutdown delay',
  RestartSignal: 'Restart Signaled',
  Signaling: 'Signaling',
} as const;

export type TaskEventTypeName = (typeof TaskEventType)[keyof typeof TaskEventType];

/** Go's zero time, which Nomad sends for a task state's times not yet set. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';
/** Nomad keeps the last ten events of a task. */
const MAX_EVENTS = 10;

/** A task's events with `event` added, the oldest dropped past ten. */
export function withEvent(events: TaskEvent[] | null | undefined, event: TaskEvent): TaskEvent[] {
  return [...(events ?? []), event].slice(-MAX_EVENTS);
}

/** The restart reasons Nomad's restart tracker gives. */
export const RestartReason = {
  WithinPolicy: 'Restart within policy',
  Delay: 'Exceeded allowed attempts, applying a delay',
  NoRestartsAllowed: 'Policy allows no restarts',
  Unrecoverable: 'Error was unrecoverable',
  Successful: 'Restart unnecessary as task terminated successfully',
} as const;

export interface TaskEventFields {
  Message?: string;
  FailsTask?: boolean;
  RestartReason?: string;
  SetupError?: string;
  DriverError?: string;
  ExitCode?: number;
  Signal?: number;
  KillReason?: string;
  KillTimeout?: number;
  KillError?: string;
  StartDelay?: number;
  FailedSibling?: string;
  OOMKilled?: boolean;
  /** The signal a user sent, by name (Nomad keeps it in Details only). */
  SignalText?: string;
}

function displayMessage(type: string, e: Required<TaskEventFields>): string {
  switch (type) {
    case TaskEventType.Received:
      return 'Task received by client';
    case TaskEventType.Setup:
      return e.Message;
    case TaskEventType.SetupFailure:
      return e.SetupError ? `Task setup failed: ${e.SetupError}` : 'Task setup failed';
    case TaskEventType.DriverFailure:
      return e.DriverError || 'Failed to start task';
    case TaskEventType.Started:
      return 'Task started by client';
    case TaskEventType.Terminated: {
      const parts = [`Exit Code: ${e.ExitCode}`];
      if (e.Signal !== 0) parts.push(`Signal: ${e.Signal}`);
      if (e.Message) parts.push(`Exit Message: ${JSON.stringify(e.Message)}`);
      return parts.join(', ');
    }
    case TaskEventType.Killing:
      if (e.KillReason) return e.KillReason;
      return e.KillTimeout ? `Sent interrupt. Waiting ${formatGoDuration(e.KillTimeout)} before force killing` : 'Sent interrupt';
    case TaskEventType.Killed:
      return e.KillError || 'Task successfully killed';
    case TaskEventType.Restarting: {
      const restartIn = `Task restarting in ${formatGoDuration(e.StartDelay)}`;
      return e.RestartReason && e.RestartReason !== RestartReason.WithinPolicy ? `${e.RestartReason} - ${restartIn}` : restartIn;
    }
    case TaskEventType.NotRestarting:
      return e.RestartReason || 'Task exceeded restart policy';
    case TaskEventType.SiblingFailed:
      return e.FailedSibling ? `Task's sibling ${JSON.stringify(e.FailedSibling)} failed` : "Task's sibling failed";
    case TaskEventType.LeaderDead:
      return 'Leader Task in Group dead';
    case TaskEventType.MainDead:
      return 'Main tasks in the group died';
    case TaskEventType.Signaling:
      return 'Task being sent a signal';
    case TaskEventType.RestartSignal:
      return e.RestartReason || 'Task signaled to restart';
    default:
      return e.Message;
  }
}

function details(e: Required<TaskEventFields>): Record<string, string> {
  const out: Record<string, string> = {};
  const set = (key: string, value: string | number | boolean, when: boolean) => {
    if (when) out[key] = String(value);
  };
  set('message', e.Message, e.Message !== '');
  set('fails_task', e.FailsTask, e.FailsTask);
  set('restart_reason', e.RestartReason, e.RestartReason !== '');
  set('setup_error', e.SetupError, e.SetupError !== '');
  set('driver_error', e.DriverError, e.DriverError !== '');
  set('exit_code', e.ExitCode, e.ExitCode !== 0 || e.Signal !== 0 || e.Message !== '' || e.OOMKilled);
  set('signal', e.Signal, e.Signal !== 0);
  set('oom_killed', e.OOMKilled, e.OOMKilled);
  set('kill_reason', e.KillReason, e.KillReason !== '');
  set('kill_timeout', formatGoDuration(e.KillTimeout), e.KillTimeout !== 0);
  set('kill_error', e.KillError, e.KillError !== '');
  set('start_delay', e.StartDelay, e.StartDelay !== 0);
  set('failed_sibling', e.FailedSibling, e.FailedSibling !== '');
  set('signal', e.SignalText, e.SignalText !== '');
  return out;
}

export function taskEvent(type: TaskEventTypeName, fields: TaskEventFields = {}, nowNanos = Date.now() * 1_000_000): TaskEvent {
  const e: Required<TaskEventFields> = {
    Message: '',
    FailsTask: false,
    RestartReason: '',
    SetupError: '',
    DriverError: '',
    ExitCode: 0,
    Signal: 0,
    KillReason: '',
    KillTimeout: 0,
    KillError: '',
    StartDelay: 0,
    FailedSibling: '',
    OOMKilled: false,
    SignalText: '',
    ...fields,
  };
  const detail = details(e);
  if (type === TaskEventType.Terminated) detail.exit_code = String(e.ExitCode);
  return {
    Type: type,
    Time: nowNanos,
    Message: e.Message,
    DisplayMessage: displayMessage(type, e),
    Details: detail,
    FailsTask: e.FailsTask,
    RestartReason: e.RestartReason,
    SetupError: e.SetupError,
    DriverError: e.DriverError,
    ExitCode: e.ExitCode,
    Signal: e.Signal,
    KillReason: e.KillReason,
    KillTimeout: e.KillTimeout,
    KillError: e.KillError,
    StartDelay: e.StartDelay,
    DownloadError: '',
    ValidationError: '',
    DiskLimit: 0,
    FailedSibling: e.FailedSibling,
    VaultError: '',
    TaskSignalReason: '',
    TaskSignal: '',
    DriverMessage: '',
    GenericSource: '',
  };
}
