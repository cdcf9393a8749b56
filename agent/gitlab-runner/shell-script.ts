/**
 * A step's commands as the bash script gitlab-runner's shell executor writes: stop at the first
 * failing command (`set -eo pipefail`), and echo each command in green before running it, so the
 * log reads `$ make` followed by make's output.
 */
function ansiQuoted(text: string): string {
  return `$'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

export function stepScript(commands: string[]): string {
  const lines = ['set -eo pipefail', 'set +o noclobber'];
  for (const command of commands) {
    lines.push(`printf '%s\\n' ${ansiQuoted(`\x1b[32;1m$ ${command}\x1b[0;m`)}`, command);
  }
  return `${lines.join('\n')}\n`;
}
