'use strict';
/**
 * Runs a command (DynamoDB Local's JVM) tied to the life of the process that started this one:
 * that process holds our stdin open, and when the pipe closes — it stopped us, exited, crashed or
 * was killed with SIGKILL — the command is stopped (SIGTERM, SIGKILL after 5 s). SIGTERM and
 * SIGINT here do the same. We exit with the command's status once it has gone.
 * Plain CommonJS so it starts with bare `node`, without tsx.
 */
const { spawn } = require('node:child_process');

const [command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
let stopping = false;

function stop() {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
}

child.on('error', (error) => {
  process.stderr.write(`${command}: ${error.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('SIGHUP', stop);
