import type { DriverName } from '../config';
import type { Driver } from './driver';
import { MockDriver } from './mock-driver';
import { RawExecDriver } from './raw-exec';

/** The drivers this agent offers, by the names jobs use in `driver = "…"`. */
export function createDrivers(names: DriverName[]): Map<string, Driver> {
  const drivers = new Map<string, Driver>();
  for (const name of names) {
    drivers.set(name, name === 'mock_driver' ? new MockDriver() : new RawExecDriver(name));
  }
  return drivers;
}
