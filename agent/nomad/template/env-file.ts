/**
 * The environment file an `env = true` template renders, read as Nomad reads it (go-envparse):
 * `KEY=value` lines, an optional `export ` prefix, blank lines and `#` comment lines ignored,
 * values bare (trailing spaces and a ` #` comment dropped), single-quoted (literal) or
 * double-quoted (with `\n`, `\t`, `\"`, `\\`, `\$` escapes). Errors name the line. Pure.
 */
const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function doubleQuoted(text: string, line: number): string {
  return text.replace(/\\(.)/g, (_, c: string) => {
    const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', $: '$', a: '\x07', b: '\b', f: '\f', v: '\v' };
    if (!(c in escapes)) throw new Error(`line ${line}: invalid escape sequence: \\${c}`);
    return escapes[c];
  });
}

export function parseEnvFile(content: string): Record<string, string> {
  const out: Record<string, string> = {};
  content.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    let text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    if (text.startsWith('export ')) text = text.slice(7).trimStart();
    const eq = text.indexOf('=');
    if (eq < 0) throw new Error(`line ${line}: missing delimiter '='`);
    const key = text.slice(0, eq).trim();
    if (!KEY.test(key)) throw new Error(`line ${line}: invalid key: ${JSON.stringify(key)}`);
    const rest = text.slice(eq + 1).trim();
    let value: string;
    if (rest.startsWith('"')) {
      const end = /^"((?:[^"\\]|\\.)*)"\s*(#.*)?$/.exec(rest);
      if (!end) throw new Error(`line ${line}: unterminated double-quoted value`);
      value = doubleQuoted(end[1], line);
    } else if (rest.startsWith("'")) {
      const end = /^'([^']*)'\s*(#.*)?$/.exec(rest);
      if (!end) throw new Error(`line ${line}: unterminated single-quoted value`);
      value = end[1];
    } else {
      value = rest.replace(/\s+#.*$/, '');
    }
    out[key] = value;
  });
  return out;
}
