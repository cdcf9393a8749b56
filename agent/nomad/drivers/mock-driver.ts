import { z } from 'zod';
import { parseGoDuration } from '../../../shared/util/go-duration';
import { sleep } from '../../common/backoff';
import type { Driver, ExecRequest, ExitResult, StartRequest, TaskHandle } from './driver';
import { decodeDriverConfig, DriverStartError, HEALTHY } from './driver';

/**
 * Nomad's test driver, `mock_driver`: no process, only the behaviour its config asks for, so
 * tests and benchmarks exercise the client without running anything.
 *   start_error, start_error_recoverable, start_block_for — fail or delay the start;
 *   run_for, exit_code, exit_signal, exit_err_msg      — how long it runs and how it ends
 *                                                       (without run_for it runs until stopped);
 *   kill_after                                          — how long a stop takes;
 *   stdout_string, stdout_repeat, stdout_repeat_duration — output to write;
 *   exec_command { run_for, exit_code, stdout_string }  — what an action run in it does.
 */
const duration = z
  .string()
  .refine((value) => parseGoDuration(value) !== undefined, 'not a duration')
  .transform((value) => parseGoDuration(value)!);

const ExecCommand = z
  .object({ run_for: duration.optional(), exit_code: z.number().int().optional(), stdout_string: z.string().optional(), stderr_string: z.string().optional() })
  .passthrough();

const MockConfig = z
  .object({
    start_error: z.string().optional(),
    start_error_recoverable: z.boolean().optional(),
    start_block_for: duration.optional(),
    run_for: duration.optional(),
    exit_code: z.number().int().optional(),
    exit_signal: z.number().int().optional(),
    exit_err_msg: z.string().optional(),
    kill_after: duration.optional(),
    stdout_string: z.string().optional(),
    stdout_repeat: z.number().int().nonnegative().optional(),
    stdout_repeat_duration: duration.optional(),
    exec_command: ExecCommand.optional(),
  })
  .passthrough();

export type MockConfig = z.infer<typeof MockConfig>;

export class MockDriver implements Driver {
  readonly name = 'mock_driver';
  readonly attributes = {};
  readonly health = HEALTHY;
  readonly fsIsolation = 'none';

  /** A mock task lives in the agent's memory: it does not outlive the agent, so there is nothing to find. */
  recover(): TaskHandle | undefined {
    return undefined;
  }

  async start(request: StartRequest): Promise<TaskHandle> {
    const config = decodeDriverConfig(MockConfig, request.config);
    if (config.start_block_for) await sleep(config.start_block_for);
    if (config.start_error) throw new DriverStartError(config.start_error, config.start_error_recoverable ?? false);

    const stopped = new AbortController();
    const output = (async () => {
      if (!config.stdout_string) return;
      const repeats = 1 + (config.stdout_repeat ?? 0);
      for (let i = 0; i < repeats && !stopped.signal.aborted; i++) {
        if (i > 0) await sleep(config.stdout_repeat_duration ?? 0, stopped.signal);
        if (!stopped.signal.aborted) request.output.stdout(Buffer.from(config.stdout_string));
      }
    })();

    let finish!: (result: ExitResult) => void;
    const exited = new Promise<ExitResult>((resolve) => (finish = resolve));
    let done = false;
    const end = (result: ExitResult) => {
      if (done) return;
      done = true;
      stopped.abort();
      void output.then(() => finish(result));
    };
    if (config.run_for !== undefined) {
      const timer = setTimeout(
        () => end({ exitCode: config.exit_code ?? 0, signal: config.exit_signal ?? 0, oomKilled: false, error: config.exit_err_msg }),
        config.run_for,
      );
      void exited.then(() => clearTimeout(timer));
    }
    return {
      wait: () => exited,
      async stop(timeoutMs) {
        if (done) return;
        await sleep(Math.min(config.kill_after ?? 0, timeoutMs));
        end({ exitCode: 0, signal: 9, oomKilled: false });
        await exited;
      },
    };
  }

  async exec(request: ExecRequest): Promise<{ exitCode: number }> {
    const command = ExecCommand.safeParse((request.taskConfig as MockConfig).exec_command ?? {});
    const spec = command.success ? command.data : {};
    if (spec.stdout_string) request.output.stdout(Buffer.from(spec.stdout_string));
    if (spec.stderr_string) request.output.stderr(Buffer.from(spec.stderr_string));
    if (spec.run_for) await sleep(spec.run_for, request.signal);
    return { exitCode: spec.exit_code ?? 0 };
  }
}
