import { z } from 'zod';
import type { Driver, ExecRequest, StartRequest, TaskHandle } from './driver';
import { decodeDriverConfig } from './driver';
import { processHandle, spawnProcess } from './process-task';

/**
 * Nomad's raw_exec: the task's `command` with `args`, run as the agent's user with no isolation,
 * in the task directory, with the task's environment. `exec` is the same driver under Nomad's
 * other name (Nomad's exec adds chroot and cgroups, which this agent does not provide).
 */
const RawExecConfig = z.object({ command: z.string().min(1), args: z.array(z.string()).optional() }).passthrough();

export class RawExecDriver implements Driver {
  readonly attributes: Record<string, string>;

  constructor(readonly name: 'raw_exec' | 'exec' = 'raw_exec') {
    this.attributes = name === 'exec' ? { 'driver.exec.isolation': 'none' } : {};
  }

  async start(request: StartRequest): Promise<TaskHandle> {
    const config = decodeDriverConfig(RawExecConfig, request.config);
    const child = await spawnProcess({
      command: config.command,
      args: config.args ?? [],
      env: request.env,
      cwd: request.taskDir,
      output: request.output,
    });
    return processHandle(child);
  }

  async exec(request: ExecRequest): Promise<{ exitCode: number }> {
    const child = await spawnProcess(request);
    const handle = processHandle(child);
    const abort = () => void handle.stop(2_000, 'SIGTERM');
    request.signal.addEventListener('abort', abort, { once: true });
    const result = await handle.wait();
    request.signal.removeEventListener('abort', abort);
    return { exitCode: result.exitCode };
  }
}
