/**
 * The index behind `X-Nomad-Index`, `CreateIndex` and `ModifyIndex`.
 *
 * Nomad takes these from its Raft log. A single DynamoDB counter item bumped by every write would
 * do the same, but one item takes about 1,000 writes a second and would cap the whole control
 * plane. Instead every writer draws indexes from a hybrid logical clock: the wall clock in
 * microseconds, forced strictly upward within the process. No item is shared by all writers.
 *
 * What this gives: indexes are unique within a process and strictly increasing per writer; an item
 * rewritten later gets a larger index as long as the writers' clocks agree to within the time
 * between the two writes (Lambda hosts are NTP-synchronised to well under a millisecond). That is
 * what blocking queries (`index > N`) and check-and-set (`JobModifyIndex` equality, always checked
 * with a DynamoDB condition, never by comparing clocks) need. Values stay below 2^53 until the
 * year 2255, so JSON numbers carry them exactly.
 */
let last = 0;

export function nextIndex(): number {
  const now = Date.now() * 1000;
  last = now > last ? now : last + 1;
  return last;
}
