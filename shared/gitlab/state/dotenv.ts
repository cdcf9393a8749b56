/**
 * `artifacts:reports:dotenv` as GitLab reads it (`Ci::ParseDotenvArtifactService`): `KEY=VALUE`
 * lines (blank lines skipped, surrounding whitespace and one pair of matching quotes dropped),
 * keys of letters, digits and `_`, at most 20 variables in at most 5 KiB (GitLab's default limits);
 * a file breaking them gives no variables, as GitLab refuses it.
 */
const MAX_VARIABLES = 20;
const MAX_BYTES = 5 * 1024;
const KEY = /^[a-zA-Z0-9_]+$/;

export function parseDotenv(text: string): { key: string; value: string }[] {
  if (Buffer.byteLength(text) > MAX_BYTES) return [];
  const variables = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const at = line.indexOf('=');
    if (at < 0) return [];
    const key = line.slice(0, at).trim();
    let value = line.slice(at + 1).trim();
    if (!KEY.test(key)) return [];
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) value = value.slice(1, -1);
    variables.set(key, value);
  }
  if (variables.size > MAX_VARIABLES) return [];
  return [...variables].map(([key, value]) => ({ key, value }));
}
