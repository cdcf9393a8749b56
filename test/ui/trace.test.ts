import { describe, expect, it } from 'vitest';
import { parseTrace, type TraceNode } from '../../ui/src/gitlab/trace';

/** The web UI's reading of a job log: the runner's section markers become folds, colours classes. */
const start = (time: number, name: string, options = '') => `\x1b[0Ksection_start:${time}:${name}${options}\r\x1b[0K`;
const end = (time: number, name: string) => `\x1b[0Ksection_end:${time}:${name}\r\x1b[0K`;

function outline(nodes: TraceNode[]): unknown[] {
  return nodes.map((node) => (node.kind === 'line' ? node.html : { [node.name]: { header: node.header, collapsed: node.collapsed, duration: node.duration, lines: outline(node.children) } }));
}

describe('parseTrace', () => {
  it('folds nested sections with their headers, options and durations', () => {
    const log = [
      'Running with gitlab-runner',
      `${start(100, 'prepare')}Preparing`,
      'pulling',
      `${start(101, 'inner', '[collapsed=true]')}Inner`,
      'deep',
      `${end(104, 'inner')}${end(105, 'prepare')}after`,
      '',
    ].join('\n');
    expect(outline(parseTrace(log))).toEqual([
      'Running with gitlab-runner',
      {
        prepare: {
          header: 'Preparing',
          collapsed: false,
          duration: 5,
          lines: ['pulling', { inner: { header: 'Inner', collapsed: true, duration: 3, lines: ['deep'] } }],
        },
      },
      'after',
    ]);
  });

  it('renders colours as ansi_up classes, escapes HTML and keeps the last carriage-return rewrite', () => {
    const [coloured, escaped, progress] = parseTrace('\x1b[32mok\x1b[0m\n<b>&\n10%\r50%\r100%\n');
    expect(coloured).toEqual({ kind: 'line', html: '<span class="ansi-green-fg">ok</span>' });
    expect(escaped).toEqual({ kind: 'line', html: '&lt;b&gt;&amp;' });
    expect(progress).toEqual({ kind: 'line', html: '100%' });
  });

  it('leaves an unmatched section end and a section still open (a live log) as they are', () => {
    const nodes = parseTrace(`${end(5, 'nothing')}a\n${start(1, 'running')}Running\nstill going\n`);
    expect(outline(nodes)).toEqual(['a', { running: { header: 'Running', collapsed: false, duration: undefined, lines: ['still going'] } }]);
  });
});
