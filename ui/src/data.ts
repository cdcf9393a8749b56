import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, nomad } from './api';

export interface Loaded<T> {
  data?: T;
  error?: Error;
  reload: () => void;
}

/** One load of `fetcher`, again whenever `key` changes or `reload` is called. */
export function useLoad<T>(fetcher: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error }>({});
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let live = true;
    fetcher().then(
      (data) => live && setState({ data }),
      (error: Error) => live && setState({ error }),
    );
    return () => {
      live = false;
    };
  }, [key, generation]);
  return { ...state, reload: useCallback(() => setGeneration((n) => n + 1), []) };
}

/**
 * A Nomad read kept current with blocking queries, as the Nomad UI does: each answer's
 * X-Nomad-Index is the next request's `index`, so the server holds it until something changes
 * (or `wait` passes). Errors back off before the next try.
 */
export function useBlocking<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error }>({});
  const [generation, setGeneration] = useState(0);
  const pathRef = useRef(path);
  pathRef.current = path;
  useEffect(() => {
    if (!path) return;
    setState({});
    const abort = new AbortController();
    let index = 0;
    (async () => {
      while (!abort.signal.aborted) {
        const separator = path.includes('?') ? '&' : '?';
        try {
          const answer = await nomad<T>('GET', `${path}${separator}index=${index}&wait=60s`, undefined, abort.signal);
          const next = Number(answer.headers.get('X-Nomad-Index') ?? 0);
          // An index that went backwards (a restart, a reset) starts over rather than blocking forever.
          index = next > index ? next : next < index ? 0 : index;
          setState({ data: answer.body });
        } catch (error) {
          if (abort.signal.aborted) return;
          setState((old) => ({ data: old.data, error: error as Error }));
          if (error instanceof ApiError && error.status === 403) return;
          await new Promise((resolve) => setTimeout(resolve, 3000));
        }
      }
    })();
    return () => abort.abort();
  }, [path, generation]);
  return { ...state, reload: useCallback(() => setGeneration((n) => n + 1), []) };
}

/**
 * GitLab's API has no blocking queries; its own UI polls while something is unfinished. This reads
 * `fetcher` again every `everyMs` for as long as `keepGoing` says so.
 */
export function usePolled<T>(fetcher: () => Promise<T>, key: string, keepGoing: (data: T) => boolean, everyMs = 2000): Loaded<T> {
  const loaded = useLoad(fetcher, key);
  const { data, reload } = loaded;
  useEffect(() => {
    if (data === undefined || !keepGoing(data)) return;
    const timer = setTimeout(reload, everyMs);
    return () => clearTimeout(timer);
  }, [data]);
  return loaded;
}
