/**
 * Allocation names `<job>.<group>[<index>]` and which indexes are taken (Nomad's
 * AllocNameIndex): new allocations take the lowest free indexes, scale-downs stop the highest,
 * and canaries borrow the names of the allocations they will replace. Pure.
 */
function allocIndex(name: string): number {
  const match = /\[(\d+)\]$/.exec(name);
  return match ? Number(match[1]) : -1;
}

export function allocName(jobId: string, group: string, index: number): string {
  return `${jobId}.${group}[${index}]`;
}

export class NameIndex {
  private readonly used = new Set<number>();

  constructor(
    private readonly jobId: string,
    private readonly group: string,
    private readonly count: number,
    names: Iterable<string>,
  ) {
    for (const name of names) this.used.add(allocIndex(name));
  }

  /** The `n` lowest free names, below Count first. */
  next(n: number): string[] {
    const names: string[] = [];
    for (let index = 0; names.length < n; index++) {
      if (this.used.has(index)) continue;
      this.used.add(index);
      names.push(allocName(this.jobId, this.group, index));
    }
    return names;
  }

  /** Names for `n` canaries: those of allocations being replaced first, then free ones. */
  nextCanaries(n: number, canaryNames: Set<string>, destructiveNames: string[]): string[] {
    const names: string[] = [];
    const take = (name: string) => {
      if (names.length < n && !canaryNames.has(name) && !names.includes(name)) names.push(name);
    };
    for (const name of [...destructiveNames].sort((a, b) => allocIndex(a) - allocIndex(b))) {
      if (allocIndex(name) < this.count) take(name);
    }
    for (let index = 0; index < this.count && names.length < n; index++) {
      if (!this.used.has(index)) {
        this.used.add(index);
        take(allocName(this.jobId, this.group, index));
      }
    }
    for (let index = 0; names.length < n && index < n + this.count; index++) take(allocName(this.jobId, this.group, index));
    return names;
  }

  /** The `n` highest names in use, to stop first. */
  highest(n: number): Set<string> {
    const indexes = [...this.used].filter((index) => index >= 0).sort((a, b) => b - a).slice(0, n);
    return new Set(indexes.map((index) => allocName(this.jobId, this.group, index)));
  }

  unset(name: string): void {
    this.used.delete(allocIndex(name));
  }
}
