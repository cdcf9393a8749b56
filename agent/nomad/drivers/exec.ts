import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Driver, DriverHealth, ExecRequest, StartRequest, TaskHandle } from './driver';
import { decodeDriverConfig, DriverStartError, HEALTHY } from './driver';
import { findExecutable } from '../../common/executable';
import { asUser, giveTaskDirs, launchProcessTask, recoverProcessTask, requireUser, type ProcessDriverHost, type UserIds } from './process-launch';
import { runCommand } from './raw-exec';

/**
 * Nomad's exec driver, with bubblewrap (`bwrap`) making the namespaces: each task in its own
 * mount, PID, IPC, UTS and cgroup namespaces (and network, unless its group asks for the host's),
 * in a chroot made of its task directory (`/`, with `local/`, `secrets/`, `tmp/` writable and the
 * allocation's shared directory at `/alloc`) and the host paths of `chroot_env` bound read-only,
 * running as the task's `user` (`nobody` by default): bwrap builds the sandbox as root (so it
 * can bind directories only root may reach), and inside it `setpriv` becomes the user with no
 * capabilities left (inheritable, ambient and bounding sets empty, no_new_privs) before running
 * the command. Its resources are limited through the node's cgroups, without which (as Nomad)
 * the driver is unhealthy.
 */
export const DEFAULT_CHROOT_ENV: Record<string, string> = Object.fromEntries(
  ['/bin', '/etc', '/lib', '/lib32', '/lib64', '/run/resolvconf', '/sbin', '/usr', '/run/systemd/resolve'].map((path) => [path, path]),
);

const DEFAULT_USER = 'nobody';

const ExecConfig = z.object({ command: z.string().min(1), args: z.array(z.string()).optional() }).passthrough();

export interface ExecDriverHost extends ProcessDriverHost {
  /** The bwrap executable; undefined where not installed. */
  bwrap?: string;
  isRoot: boolean;
  platform: string;
  chrootEnv?: Record<string, string>;
}

export interface Sandbox {
  taskDir: string;
  allocDir: string;
  hostNetwork: boolean;
  chrootEnv: Record<string, string>;
}

/** bwrap's options for a task's sandbox (before `--` and the command). Pure. */
export function bwrapArgs(sandbox: Sandbox): string[] {
  const args = ['--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try'];
  if (!sandbox.hostNetwork) args.push('--unshare-net');
  args.push('--bind', sandbox.taskDir, '/', '--bind', sandbox.allocDir, '/alloc');
  for (const [host, inside] of Object.entries(sandbox.chrootEnv)) args.push('--ro-bind-try', host, inside);
  args.push('--proc', '/proc', '--dev', '/dev', '--chdir', '/');
  return args;
}

export function execHealth(host: ExecDriverHost): DriverHealth {
  if (host.platform !== 'linux') return { detected: false, healthy: false, description: 'exec driver unsupported on client OS' };
  if (!host.isRoot) return { detected: false, healthy: false, description: 'Driver must run as root' };
  if (!host.cgroups) return { detected: true, healthy: false, description: 'Failed to discover cgroup mount point' };
  if (!host.bwrap || !host.setpriv) return { detected: true, healthy: false, description: 'Failed to find bwrap (bubblewrap) and setpriv, which isolate exec tasks' };
  return HEALTHY;
}

export class ExecDriver implements Driver {
  readonly name = 'exec';
  readonly health: DriverHealth;
  readonly attributes: Record<string, string>;
  readonly fsIsolation = 'chroot';
  private readonly chrootEnv: Record<string, string>;

  constructor(private readonly host: ExecDriverHost) {
    this.health = execHealth(host);
    this.attributes = this.health.healthy ? { 'driver.exec': 'true' } : {};
    this.chrootEnv = host.chrootEnv ?? DEFAULT_CHROOT_ENV;
  }

  private user(name: string): UserIds {
    return requireUser(name || DEFAULT_USER);
  }

  /** The command line that runs `command` in the sandbox as the user. */
  private sandboxed(sandbox: Sandbox, user: UserIds, command: string, args: string[]): string[] {
    if (!this.health.healthy) throw new DriverStartError(`failed to start task: exec driver is unhealthy: ${this.health.description}`, false);
    return [this.host.bwrap!, ...bwrapArgs(sandbox), '--', ...asUser(this.host.setpriv!, user), command, ...args];
  }

  /** Where a path inside the chroot is on the host: in the task directory, or under a chroot_env entry bound there. */
  private hostPaths(inside: string, taskDir: string): string[] {
    const paths = [join(taskDir, inside)];
    for (const [host, target] of Object.entries(this.chrootEnv)) if (inside === target || inside.startsWith(`${target}/`)) paths.push(host + inside.slice(target.length));
    return paths;
  }

  /** The command as the task will run it inside the chroot (its PATH searched there), if it is there. */
  private command(command: string, path: string | undefined, taskDir: string): string {
    const dirs = (path ?? '/usr/local/bin:/usr/bin:/bin').split(':').filter(Boolean);
    const candidates = command.includes('/') ? [join('/', command)] : dirs.map((dir) => join(dir, command));
    for (const candidate of candidates) if (this.hostPaths(candidate, taskDir).some((host) => findExecutable(host))) return candidate;
    throw new DriverStartError(`failed to launch command with executor: executable file not found: ${command}`, false);
  }

  async start(request: StartRequest): Promise<TaskHandle> {
    const config = decodeDriverConfig(ExecConfig, request.config);
    const user = this.user(request.user ?? '');
    const allocDir = request.allocDir ?? join(dirname(request.taskDir), 'alloc');
    const sandbox: Sandbox = { taskDir: request.taskDir, allocDir, hostNetwork: request.hostNetwork ?? false, chrootEnv: this.chrootEnv };
    const argv = this.sandboxed(sandbox, user, this.command(config.command, request.env.PATH, request.taskDir), config.args ?? []);
    giveTaskDirs(request.taskDir, allocDir, user);
    return launchProcessTask(this.host, request, argv, request.taskDir, 'bwrap');
  }

  recover(state: Record<string, unknown>): TaskHandle | undefined {
    return recoverProcessTask(state);
  }

  async exec(request: ExecRequest): Promise<{ exitCode: number }> {
    const user = this.user(request.user ?? '');
    const sandbox: Sandbox = { taskDir: request.cwd, allocDir: join(dirname(request.cwd), 'alloc'), hostNetwork: request.hostNetwork ?? false, chrootEnv: this.chrootEnv };
    const [command, ...args] = this.sandboxed(sandbox, user, this.command(request.command, request.env.PATH, request.cwd), request.args);
    return runCommand(request, command, args);
  }
}
