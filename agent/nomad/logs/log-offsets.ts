/** How far a task's log files are shipped, kept in the agent's state (see log-shipper.ts). */
export interface LogOffsets {
  stdout: number;
  stderr: number;
  /** Sizes of the chunks sent from those offsets and not yet known to be committed. */
  inflight?: { stdout: number; stderr: number };
}
