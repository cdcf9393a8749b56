import { useState } from 'preact/hooks';

export interface Action {
  /** Runs `work` once at a time; its failure is kept in `error` for the page to show. */
  run: (work: () => Promise<unknown>) => Promise<void>;
  error?: Error;
  busy: boolean;
}

/** A button's write: one at a time, its error shown beside it until the next try. */
export function useAction(): Action {
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  async function run(work: () => Promise<unknown>) {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  }
  return { run, error, busy };
}
