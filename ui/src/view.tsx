import type { ComponentChildren } from 'preact';
import { ApiError } from './api';
import { href } from './router';

const SIGN_IN_NAME = { nomad: 'a Nomad ACL token', gitlab: 'a GitLab personal access token', codearts: 'a CodeArts token' };

/** What a failed read shows: a 403 says which token to sign in with. */
export function Failure({ error }: { error: Error }) {
  if (error instanceof ApiError && (error.status === 403 || error.status === 401)) {
    return (
      <div class="notice forbidden" role="alert">
        <strong>Not authorized.</strong> The server answered {error.status} ({error.message}). <a href={href('/sign-in')}>Sign in</a> with{' '}
        {SIGN_IN_NAME[error.dialect]} that may see this.
      </div>
    );
  }
  return (
    <div class="notice error" role="alert">
      {error instanceof ApiError ? `${error.status}: ` : ''}
      {error.message}
    </div>
  );
}

export function Loading() {
  return <p class="muted">Loading…</p>;
}

export function Status({ value }: { value: string }) {
  return <span class={`status status-${value.toLowerCase().replace(/[^a-z]+/g, '-')}`}>{value}</span>;
}

export function Section({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section>
      <header class="section-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

export function ago(time: string | number | null | undefined): string {
  if (time === null || time === undefined || time === '') return '';
  // Nomad times are nanoseconds since the epoch, GitLab's ISO strings.
  const ms = typeof time === 'number' ? (time > 1e15 ? time / 1e6 : time) : Date.parse(time);
  if (!ms || ms < 0) return '';
  return new Date(ms).toLocaleString();
}
