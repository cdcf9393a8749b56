/**
 * GitLab's `ExpandVariables`: `$NAME`, `${NAME}` and `%NAME%` replaced by the variables that
 * exist; any other reference is left as written (`expand_existing`) or dropped (`dropUnknown`: `expand`).
 */
const REFERENCE = /\$\$|\$([a-zA-Z_][a-zA-Z0-9_]*)|\$\{([a-zA-Z_][a-zA-Z0-9_]*)\}|%([a-zA-Z_][a-zA-Z0-9_]*)%/g;

export function expandVariables(text: string, variables: Readonly<Record<string, string>>, options: { dropUnknown?: boolean } = {}): string {
  if (!text.includes('$') && !text.includes('%')) return text;
  return text.replace(REFERENCE, (match, plain?: string, braced?: string, windows?: string) => {
    const name = plain ?? braced ?? windows;
    if (name === undefined) return match;
    return Object.hasOwn(variables, name) ? variables[name] : options.dropUnknown ? '' : match;
  });
}
