import { BODY_PART_CHARS } from '../../../shared/nomad/wire/client-rpc-protocol';
import type { ClientRpcCancel, ClientRpcReply, ClientRpcRequest, FsStreamArgs, FsPathArgs, RestartArgs, SignalArgs, AllocArgs } from '../../../shared/nomad/wire/client-rpc-protocol';
import type { Logger } from '../../common/logger';
import type { AllocRunner } from '../allocrunner/alloc-runner';
import { TaskEventType } from '../allocrunner/task-events';
import { checkReadable, FsError, listDir, statPath } from './alloc-fs';
import { streamFile } from './file-stream';
import { hostStats } from './host-stats';
import { allocUsage } from './task-stats';

/**
 * The node's side of Nomad's client RPCs, as they arrive over the agent channel: signal and
 * restart an allocation's tasks, sample its stats and the host's, garbage-collect finished
 * allocations, and read the allocation directory. Errors carry Nomad's client texts (and the
 * HTTP status where Nomad's HTTP layer gives one).
 */
export interface ClientOpsDeps {
  runners: Map<string, AllocRunner>;
  allocRoot: string;
  mhzPerCore: () => number;
  send(reply: ClientRpcReply): void;
  /** An allocation was garbage-collected here (the local state should forget it). */
  onCollected(): void;
  log: Logger;
}

class RpcError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

/** hashicorp/go-multierror's text. */
function multiError(errors: string[]): string {
  if (errors.length === 1) return `1 error occurred:\n\t* ${errors[0]}\n\n`;
  return `${errors.length} errors occurred:\n\t${errors.map((error) => `* ${error}`).join('\n\t')}\n\n`;
}

const TASK_NOT_RUNNING = 'Task not running';
/** A restart answers once the old processes are gone, as Nomad's, but within the API's own time limit (the restart goes on). */
const RESTART_ANSWER_MS = 10_000;

function answerWithin<T>(work: Promise<T>, meanwhile: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(meanwhile), RESTART_ANSWER_MS)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export class ClientOps {
  private readonly streams = new Map<string, AbortController>();

  constructor(private readonly deps: ClientOpsDeps) {}

  handle(message: ClientRpcRequest | ClientRpcCancel): void {
    if (message.Type === 'rpc.cancel') {
      this.streams.get(message.ID)?.abort();
      return;
    }
    if (message.Method === 'FileSystem.Stream') {
      void this.stream(message.ID, message.Args as unknown as FsStreamArgs);
      return;
    }
    void this.unary(message)
      .then((body) => this.sendBody(message.ID, JSON.stringify(body ?? null)))
      .catch((error) => this.deps.send({ Type: 'rpc.reply', ID: message.ID, Seq: 0, Done: true, Error: this.toError(error) }));
  }

  private sendBody(id: string, text: string): void {
    const parts = Math.max(1, Math.ceil(text.length / BODY_PART_CHARS));
    for (let seq = 0; seq < parts; seq++) {
      this.deps.send({ Type: 'rpc.reply', ID: id, Seq: seq, Done: seq === parts - 1, BodyText: text.slice(seq * BODY_PART_CHARS, (seq + 1) * BODY_PART_CHARS) });
    }
  }

  stop(): void {
    for (const stream of this.streams.values()) stream.abort();
  }

  private toError(error: unknown): { Code?: number; Message: string } {
    if (error instanceof RpcError || error instanceof FsError) return { Code: error.code, Message: error.message };
    this.deps.log.warn(`client RPC failed: ${(error as Error).message}`);
    return { Message: (error as Error).message };
  }

  private runner(allocId: string): AllocRunner {
    const runner = this.deps.runners.get(allocId);
    if (!runner) throw new RpcError(`Unknown allocation "${allocId}"`, 404);
    return runner;
  }

  private async unary(request: ClientRpcRequest): Promise<unknown> {
    const args = request.Args;
    switch (request.Method) {
      case 'Allocations.Signal':
        return this.signal(args as unknown as SignalArgs);
      case 'Allocations.Restart':
        return this.restart(args as unknown as RestartArgs);
      case 'Allocations.Stats':
        return this.stats(args as unknown as AllocArgs);
      case 'Allocations.GarbageCollect':
        return this.collect(args as unknown as AllocArgs);
      case 'Allocations.GarbageCollectAll':
        for (const [id, runner] of this.deps.runners) if (runner.done) await this.destroy(id, runner);
        return null;
      case 'ClientStats.Stats':
        return hostStats(this.deps.allocRoot, this.deps.mhzPerCore());
      case 'FileSystem.List': {
        const { AllocID, Path } = args as unknown as FsPathArgs;
        return listDir(this.runner(AllocID).allocDir, Path || '/');
      }
      case 'FileSystem.Stat': {
        const { AllocID, Path } = args as unknown as FsPathArgs;
        return statPath(this.runner(AllocID).allocDir, Path);
      }
      default:
        throw new RpcError(`Unknown rpc method: ${String(request.Method)}`, 400);
    }
  }

  private signal({ AllocID, Task, Signal }: SignalArgs): null {
    const runner = this.runner(AllocID);
    const event = { type: TaskEventType.Signaling, fields: { SignalText: Signal ?? '' } };
    if (Task) {
      const task = runner.task(Task);
      if (!task) throw new RpcError('Task not found');
      if (!task.signal(Signal ?? '', event)) throw new RpcError(TASK_NOT_RUNNING);
      return null;
    }
    const errors = runner.taskNames.filter((name) => !runner.task(name)?.signal(Signal ?? '', event)).map((name) => `Failed to signal task: ${name}, err: ${TASK_NOT_RUNNING}`);
    if (errors.length > 0) throw new RpcError(multiError(errors));
    return null;
  }

  private async restart({ AllocID, TaskName, AllTasks }: RestartArgs): Promise<null> {
    if (AllTasks && TaskName) throw new RpcError('task name cannot be set when restarting all tasks');
    const runner = this.runner(AllocID);
    if (TaskName) {
      const task = runner.task(TaskName);
      if (!task) throw new RpcError(`Could not find task runner for task: ${TaskName}`);
      const event = { type: TaskEventType.RestartSignal, fields: { RestartReason: 'User requested task to restart' } };
      if (!(await answerWithin(task.restart(event, runner.killOf(TaskName), false), true))) throw new RpcError(TASK_NOT_RUNNING);
      return null;
    }
    if (!runner.shouldRun) throw new RpcError('restart of an alloc that should not run');
    const reason = AllTasks ? 'User requested all tasks to restart' : 'User requested running tasks to restart';
    const event = { type: TaskEventType.RestartSignal, fields: { RestartReason: reason } };
    // Tasks that are not running are left alone (Nomad ignores their "Task not running").
    await answerWithin(Promise.all(runner.taskNames.map((name) => runner.task(name)?.restart(event, runner.killOf(name), AllTasks))), []);
    return null;
  }

  private stats({ AllocID, Task }: AllocArgs) {
    const runner = this.runner(AllocID);
    const tasks = new Map<string, Record<string, unknown> | undefined>();
    for (const name of runner.taskNames) {
      const task = runner.task(name);
      if ((!Task || Task === name) && task?.state.State === 'running') tasks.set(name, task.handleState);
    }
    return allocUsage(tasks, this.deps.mhzPerCore());
  }

  private async collect({ AllocID }: AllocArgs): Promise<null> {
    const runner = this.runner(AllocID);
    if (!runner.done) throw new RpcError('No such allocation on client, or allocation not eligible for GC');
    await this.destroy(AllocID, runner);
    return null;
  }

  private async destroy(id: string, runner: AllocRunner): Promise<void> {
    this.deps.runners.delete(id);
    await runner.destroy(true);
    this.deps.onCollected();
  }

  private async stream(id: string, args: FsStreamArgs): Promise<void> {
    let seq = 0;
    const send = (part: Omit<ClientRpcReply, 'Type' | 'ID' | 'Seq'>) => this.deps.send({ Type: 'rpc.reply', ID: id, Seq: seq++, ...part });
    const abort = new AbortController();
    this.streams.set(id, abort);
    // An API that went away without cancelling does not keep a follow running for ever.
    const cap = setTimeout(() => abort.abort(), 15 * 60_000);
    try {
      let hostPath: string;
      let offset = args.Offset;
      try {
        const runner = this.runner(args.AllocID);
        let info;
        try {
          info = await statPath(runner.allocDir, args.Path);
        } catch (error) {
          throw new RpcError((error as Error).message, 400);
        }
        if (info.IsDir) throw new RpcError(`file ${JSON.stringify(args.Path)} is a directory`, 400);
        if (args.Origin === 'end') offset = Math.max(info.Size - args.Offset, 0);
        hostPath = checkReadable(runner.allocDir, args.Path, runner.taskNames);
      } catch (error) {
        send({ Done: true, Error: this.toError(error) });
        return;
      }
      send({ Done: false });
      try {
        for await (const piece of streamFile({ hostPath, name: args.Path, offset, limit: args.Limit, follow: args.Follow, signal: abort.signal })) {
          send({ Done: false, Piece: piece });
        }
        send({ Done: true });
      } catch (error) {
        send({ Done: true, Error: this.toError(error) });
      }
    } finally {
      clearTimeout(cap);
      this.streams.delete(id);
    }
  }
}
