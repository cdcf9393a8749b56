import { findExecutable } from '../../common/executable';
import { detectCgroups } from '../cgroups/cgroups';
import type { DriverName } from '../config';
import type { Driver } from './driver';
import { ExecDriver, type ExecDriverHost } from './exec';
import { MockDriver } from './mock-driver';
import { RawExecDriver } from './raw-exec';

/** The drivers this agent offers, by the names jobs use in `driver = "…"`. */
export function createDrivers(names: DriverName[], host: ExecDriverHost = { isRoot: false, platform: process.platform }): Map<string, Driver> {
  const drivers = new Map<string, Driver>();
  for (const name of names) {
    if (name === 'mock_driver') drivers.set(name, new MockDriver());
    else if (name === 'exec') drivers.set(name, new ExecDriver(host));
    else drivers.set(name, new RawExecDriver(host));
  }
  return drivers;
}

/** What this machine offers the process drivers: its cgroups and the tools they run tasks with. */
export function detectDriverHost(): ExecDriverHost {
  return {
    cgroups: process.platform === 'linux' ? detectCgroups() : undefined,
    prlimit: findExecutable('prlimit'),
    bwrap: findExecutable('bwrap'),
    setpriv: findExecutable('setpriv'),
    isRoot: process.getuid?.() === 0,
    platform: process.platform,
  };
}
