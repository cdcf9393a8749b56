import { useState } from 'preact/hooks';
import { parseTrace, type TraceNode, type TraceSection } from './trace';

function duration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  return `${String(minutes).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}

function Section({ section }: { section: TraceSection }) {
  const [open, setOpen] = useState(!section.collapsed);
  return (
    <div class="trace-section" data-section={section.name}>
      <div class="trace-line trace-header" role="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span class="fold">{open ? '▾' : '▸'}</span>
        <span dangerouslySetInnerHTML={{ __html: section.header }} />
        {section.duration !== undefined && <span class="trace-duration">{duration(section.duration)}</span>}
      </div>
      {open && <Nodes nodes={section.children} />}
    </div>
  );
}

function Nodes({ nodes }: { nodes: TraceNode[] }) {
  return (
    <>
      {nodes.map((node, index) =>
        node.kind === 'line' ? (
          <div key={index} class="trace-line" dangerouslySetInnerHTML={{ __html: node.html || ' ' }} />
        ) : (
          <Section key={`${index}-${node.name}`} section={node} />
        ),
      )}
    </>
  );
}

/** A job log with its colours (ansi_up, as CSS classes) and its sections folded as GitLab folds them. */
export function Trace({ text }: { text: string }) {
  return (
    <div class="trace" data-testid="trace">
      <Nodes nodes={parseTrace(text)} />
    </div>
  );
}
