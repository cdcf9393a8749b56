import type { Driver } from '../drivers/driver';
import type { AllocRunner } from '../allocrunner/alloc-runner';
import type { ActionStart, FromAgent } from '../../../shared/nomad/wire/channel-protocol';

/**
 * Runs a job action (`action "name" { command, args }` of a task) in the task's environment and
 * working directory, through the task's driver, streaming Nomad's frames: stdout/stderr data in
 * base64, a close of each stream, then `exited` with the exit code.
 */
export async function runAction(
  start: ActionStart,
  runner: AllocRunner | undefined,
  drivers: Map<string, Driver>,
  send: (message: FromAgent) => void,
  signal: AbortSignal,
): Promise<void> {
  const fail = (Code: 1008 | 1011, Message: string) => send({ Type: 'action.error', Session: start.Session, Code, Message });
  if (!runner) return fail(1008, `allocation ${start.AllocID} is not running on this node`);
  const spec = runner.taskSpec(start.Task);
  if (!spec) return fail(1008, `task ${start.Task} not found in allocation`);
  const action = (spec.Actions ?? []).find((candidate) => candidate.Name === start.Action);
  if (!action) return fail(1008, `action ${start.Action} not found`);
  const task = runner.task(start.Task);
  if (!task || task.state.State !== 'running') return fail(1008, `task ${start.Task} is not running`);
  const driver = drivers.get(spec.Driver);
  if (!driver) return fail(1011, `driver ${spec.Driver} is not enabled on this node`);

  const frame = (stream: 'stdout' | 'stderr') => (chunk: Buffer) =>
    send({ Type: 'action.frame', Session: start.Session, Frame: { [stream]: { data: chunk.toString('base64') } } as never });
  try {
    const { exitCode } = await driver.exec({
      command: runner.interpolate(action.Command, start.Task),
      args: (action.Args ?? []).map((arg) => runner.interpolate(arg, start.Task)),
      env: task.env,
      cwd: task.dirs.taskDir,
      taskConfig: spec.Config ?? {},
      output: { stdout: frame('stdout'), stderr: frame('stderr') },
      signal,
    });
    send({ Type: 'action.frame', Session: start.Session, Frame: { stdout: { close: true } } });
    send({ Type: 'action.frame', Session: start.Session, Frame: { stderr: { close: true } } });
    send({ Type: 'action.frame', Session: start.Session, Frame: { exited: true, result: { exit_code: exitCode } } });
  } catch (error) {
    fail(1011, (error as Error).message);
  }
}
