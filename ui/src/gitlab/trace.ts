import { AnsiUp } from 'ansi_up';

/** A job log as GitLab's page shows it: lines, and the runner's `section_start`/`section_end` folds. */
export interface TraceSection {
  kind: 'section';
  name: string;
  header: string;
  collapsed: boolean;
  duration?: number;
  children: TraceNode[];
}
export type TraceNode = { kind: 'line'; html: string } | TraceSection;

// The runner writes `\e[0Ksection_start:<unix time>:<name>[options]\r\e[0K<header>` and
// `\e[0Ksection_end:<unix time>:<name>\r\e[0K`.
const MARKER = /(?:\x1b\[0K)?section_(start|end):(\d+):([A-Za-z0-9_.-]+)(?:\[([^\]]*)\])?\r(?:\x1b\[0K)?/g;

/** What a terminal shows of a line rewritten with carriage returns: the last rewrite. */
function lastRewrite(line: string): string {
  const parts = line.split('\r').filter((part) => part !== '');
  return parts.length ? parts[parts.length - 1] : '';
}

export function parseTrace(text: string): TraceNode[] {
  const ansi = new AnsiUp();
  ansi.use_classes = true;
  const root: TraceNode[] = [];
  const stack: { section?: TraceSection; starts: number; children: TraceNode[] }[] = [{ children: root, starts: 0 }];
  const top = () => stack[stack.length - 1];
  // The log ends with a newline: no empty last line.
  const body = text.replace(/\r\n/g, '\n').replace(/\n$/, '');
  if (body === '') return root;
  for (const raw of body.split('\n')) {
    let rest = raw;
    let opened: TraceSection | undefined;
    MARKER.lastIndex = 0;
    for (let match = MARKER.exec(raw); match; match = MARKER.exec(raw)) {
      const [, kind, time, name, options] = match;
      if (kind === 'start') {
        opened = { kind: 'section', name, header: '', collapsed: /collapsed=true/.test(options ?? ''), children: [] };
        top().children.push(opened);
        stack.push({ section: opened, starts: Number(time), children: opened.children });
      } else {
        const index = stack.findLastIndex((frame) => frame.section?.name === name);
        if (index > 0) {
          stack[index].section!.duration = Number(time) - stack[index].starts;
          stack.length = index;
        }
      }
      rest = rest.replace(match[0], '');
    }
    const html = ansi.ansi_to_html(lastRewrite(rest));
    if (opened) opened.header = html;
    else if (rest !== '' || raw === '') top().children.push({ kind: 'line', html });
  }
  return root;
}
