/** The three dialects' tokens, kept for this browser tab only (sessionStorage). */
export type Dialect = 'nomad' | 'gitlab' | 'codearts';

const KEY = (dialect: Dialect) => `jobplane.token.${dialect}`;

export function tokenOf(dialect: Dialect): string {
  return sessionStorage.getItem(KEY(dialect)) ?? '';
}

export function setToken(dialect: Dialect, token: string): void {
  if (token) sessionStorage.setItem(KEY(dialect), token);
  else sessionStorage.removeItem(KEY(dialect));
}
