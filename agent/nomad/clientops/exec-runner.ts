import { PassThrough } from 'node:stream';
import type { ActionInput, ActionStart, FromAgent } from '../../../shared/nomad/wire/channel-protocol';
import { STREAM_PART_BYTES } from '../../../shared/nomad/wire/client-rpc-protocol';
import type { AllocRunner } from '../allocrunner/alloc-runner';
import { ZERO_TIME } from '../allocrunner/task-events';
import type { Driver } from '../drivers/driver';

/**
 * `nomad alloc exec` on the node: the command runs as the task runs (through its driver, so in
 * the task's bwrap sandbox and as its user for exec tasks; in its directory and environment),
 * stdin comes from the caller's `{stdin: {data}}` frames (`{stdin: {close: true}}` ends it), and
 * output goes back as Nomad's exec frames, then `exited` with the exit code. With `tty` the
 * command gets a pseudo-terminal (stdout and stderr are then one stream, as with Nomad).
 */
export class ExecSession {
  private readonly stdin = new PassThrough();

  constructor(
    private readonly start: ActionStart & { Command: string[] },
    private readonly send: (message: FromAgent) => void,
  ) {}

  input(frame: ActionInput['Frame']): void {
    if (frame.stdin?.data) this.stdin.write(Buffer.from(frame.stdin.data, 'base64'));
    if (frame.stdin?.close) this.stdin.end();
  }

  async run(runner: AllocRunner | undefined, drivers: Map<string, Driver>, signal: AbortSignal): Promise<void> {
    const { start, send } = this;
    const fail = (Code: 1008 | 1011, Message: string) => send({ Type: 'action.error', Session: start.Session, Code, Message });
    if (!runner) return fail(1008, `Unknown allocation "${start.AllocID}"`);
    const spec = runner.taskSpec(start.Task);
    const task = runner.task(start.Task);
    if (!spec || !task) return fail(1008, `unknown task name ${JSON.stringify(start.Task)}`);
    if (task.state.StartedAt === ZERO_TIME) return fail(1008, `task ${JSON.stringify(start.Task)} not started yet.`);
    if (task.state.State !== 'running') return fail(1008, `task ${JSON.stringify(start.Task)} is not running.`);
    const driver = drivers.get(spec.Driver);
    if (!driver) return fail(1011, `driver ${spec.Driver} is not enabled on this node`);

    // Output goes in pieces that fit one API Gateway WebSocket frame.
    const frame = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      for (let at = 0; at < chunk.length; at += STREAM_PART_BYTES) {
        const data = chunk.subarray(at, at + STREAM_PART_BYTES).toString('base64');
        send({ Type: 'action.frame', Session: start.Session, Frame: { [stream]: { data } } as never });
      }
    };
    const [command, ...args] = start.Command;
    try {
      const { exitCode } = await driver.exec({
        command,
        args,
        env: task.env,
        cwd: task.dirs.taskDir,
        user: spec.User,
        taskConfig: spec.Config ?? {},
        output: { stdout: frame('stdout'), stderr: frame('stderr') },
        signal,
        stdin: this.stdin,
        tty: start.Tty,
      });
      send({ Type: 'action.frame', Session: start.Session, Frame: { stdout: { close: true } } });
      send({ Type: 'action.frame', Session: start.Session, Frame: { stderr: { close: true } } });
      send({ Type: 'action.frame', Session: start.Session, Frame: { exited: true, result: { exit_code: exitCode } } });
    } catch (error) {
      fail(1011, (error as Error).message);
    } finally {
      this.stdin.destroy();
    }
  }
}
