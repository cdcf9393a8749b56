import { useEffect, useRef, useState } from 'preact/hooks';
import '@xterm/xterm/css/xterm.css';
import { tokenOf } from '../session';
import { Section } from '../view';
import { adoptInjectedStyles } from './adopted-styles';

type ExecFrame = {
  stdout?: { data?: string; close?: boolean };
  stderr?: { data?: string; close?: boolean };
  exited?: boolean;
  result?: { exit_code: number };
};

const fromBase64 = (data: string) => Uint8Array.from(atob(data), (char) => char.charCodeAt(0));
function toBase64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function execUrl(allocId: string, task: string, command: string[]): string {
  const params = new URLSearchParams({ task, tty: 'true', command: JSON.stringify(command), ws_handshake: 'true' });
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/v1/client/allocation/${encodeURIComponent(allocId)}/exec?${params}`;
}

/**
 * `nomad alloc exec -t`: a terminal (xterm.js, loaded on first use) on Nomad's exec WebSocket. The
 * token goes in the handshake frame (a browser cannot set headers on a WebSocket), keystrokes as
 * `stdin` frames, the terminal's size as `tty_size`; `stdout`/`stderr` frames are written out until
 * `exited`, or the socket closes with Nomad's reason.
 */
function Session({ allocId, task, command, onEnd }: { allocId: string; task: string; command: string[]; onEnd: () => void }) {
  const host = useRef<HTMLDivElement>(null);
  const [state, setState] = useState('connecting');
  useEffect(() => {
    let disposed = false;
    let cleanup = () => {};
    (async () => {
      const { Terminal } = await import('@xterm/xterm');
      if (disposed || !host.current) return;
      const unadopt = adoptInjectedStyles(host.current);
      const terminal = new Terminal({ cursorBlink: true, fontSize: 13, fontFamily: 'ui-monospace, monospace', convertEol: false, rows: 24 });
      terminal.open(host.current);
      const socket = new WebSocket(execUrl(allocId, task, command));
      const send = (frame: unknown) => socket.readyState === WebSocket.OPEN && socket.send(JSON.stringify(frame));
      const resize = () => send({ tty_size: { height: terminal.rows, width: terminal.cols } });
      socket.onopen = () => {
        send({ version: 1, auth_token: tokenOf('nomad') });
        resize();
        setState('connected');
        terminal.focus();
      };
      socket.onmessage = (event) => {
        const frame = JSON.parse(String(event.data)) as ExecFrame;
        if (frame.stdout?.data) terminal.write(fromBase64(frame.stdout.data));
        if (frame.stderr?.data) terminal.write(fromBase64(frame.stderr.data));
        if (frame.exited) {
          terminal.write(`\r\n\x1b[2m[exited with code ${frame.result?.exit_code ?? 0}]\x1b[0m\r\n`);
          setState('exited');
        }
      };
      socket.onclose = (event) => {
        if (event.code !== 1000 && event.code !== 1005) terminal.write(`\r\n\x1b[31m[closed: ${event.reason || `code ${event.code}`}]\x1b[0m\r\n`);
        setState((old) => (old === 'exited' ? old : 'closed'));
      };
      const input = terminal.onData((data) => send({ stdin: { data: toBase64(data) } }));
      const sized = terminal.onResize(resize);
      cleanup = () => {
        input.dispose();
        sized.dispose();
        socket.close();
        terminal.dispose();
        unadopt();
      };
    })();
    return () => {
      disposed = true;
      cleanup();
    };
  }, [allocId, task, command.join('\0')]);
  return (
    <div class="exec">
      <p class="muted">
        <span data-testid="exec-state">{state}</span> · {task} · <span class="mono">{command.join(' ')}</span>{' '}
        <button class="link" onClick={onEnd}>
          {state === 'connected' || state === 'connecting' ? 'Disconnect' : 'Close'}
        </button>
      </p>
      <div class="terminal" ref={host} data-testid="terminal" />
    </div>
  );
}

/** Picks a task and a command, then opens the terminal on it. */
export function ExecTerminal({ allocId, tasks }: { allocId: string; tasks: string[] }) {
  const [task, setTask] = useState(tasks[0]);
  const [command, setCommand] = useState('/bin/sh');
  const [open, setOpen] = useState<string[]>();
  return (
    <Section title="Exec">
      {open ? (
        <Session allocId={allocId} task={task} command={open} onEnd={() => setOpen(undefined)} />
      ) : (
        <form
          class="exec-form"
          onSubmit={(event) => {
            event.preventDefault();
            setOpen(command.trim().split(/\s+/));
          }}
        >
          {tasks.length > 1 && (
            <select name="exec-task" value={task} onChange={(event) => setTask(event.currentTarget.value)}>
              {tasks.map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          )}
          <input name="exec-command" aria-label="Command" value={command} onInput={(event) => setCommand(event.currentTarget.value)} />
          <button type="submit" disabled={!command.trim()}>
            Open terminal
          </button>
        </form>
      )}
    </Section>
  );
}
