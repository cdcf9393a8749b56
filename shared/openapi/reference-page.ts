import { createHash } from 'node:crypto';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { oas31 } from 'zod-openapi';
import type { OpenApiDocument } from './document';

/**
 * The API reference at `/openapi/`: every operation of the three documents, rendered on the
 * server from the documents themselves (no script, so it works under a CSP that allows none),
 * grouped by tag, each with its parameters, request body and answers.
 */
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1rem 1.5rem;color:#1f2328}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:1px solid #d0d7de}h3{margin:1.5rem 0 .5rem}
nav a{margin-right:1rem}code,pre{font:12px/1.4 ui-monospace,monospace}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;max-height:28rem}
details{border:1px solid #d0d7de;border-radius:6px;margin:.3rem 0;padding:.3rem .6rem}
summary{cursor:pointer}.m{display:inline-block;min-width:4.5rem;font-weight:600;text-transform:uppercase}
.get{color:#0969da}.post,.put{color:#1a7f37}.delete{color:#cf222e}.patch{color:#9a6700}
table{border-collapse:collapse;margin:.3rem 0}td,th{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left;vertical-align:top}
`;

/** The page's own policy: no script at all, only its one inline style block. */
export const REFERENCE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const TITLES: Record<string, string> = { nomad: 'Nomad (/v1)', gitlab: 'GitLab (/api/v4)', codearts: 'CodeArts Build (/v3)' };

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A description's text, escaped, with its `code spans` (the documents' only markup) as <code>. */
function prose(text: string | undefined) {
  const escaped = (text ?? '').replace(/[&<>"']/g, (char) => ENTITIES[char]);
  return raw(escaped.replace(/`([^`]+)`/g, '<code>$1</code>'));
}

function schemaText(schema: unknown): string {
  return JSON.stringify(schema, null, 2);
}

function parameters(operation: oas31.OperationObject) {
  const list = (operation.parameters ?? []) as oas31.ParameterObject[];
  if (list.length === 0) return '';
  return html`<table>
    <tr><th>Parameter</th><th>In</th><th>Required</th><th>Schema</th><th>Description</th></tr>
    ${list.map((parameter) => html`<tr><td><code>${parameter.name}</code></td><td>${parameter.in}</td><td>${parameter.required ? 'yes' : 'no'}</td><td><code>${JSON.stringify(parameter.schema)}</code></td><td>${prose(parameter.description)}</td></tr>`)}
  </table>`;
}

function content(body: { content?: oas31.ContentObject } | undefined) {
  return Object.entries(body?.content ?? {}).map(([type, media]) => html`<div><code>${type}</code><pre>${schemaText(media.schema)}</pre></div>`);
}

function operationEntry(dialect: string, path: string, method: string, operation: oas31.OperationObject) {
  const request = operation.requestBody as oas31.RequestBodyObject | undefined;
  const responses = Object.entries(operation.responses ?? {}) as [string, oas31.ResponseObject][];
  return html`<details id="${dialect}-${method}-${path}">
    <summary><span class="m ${method}">${method}</span> <code>${path}</code> ${prose(operation.summary)}</summary>
    ${operation.description ? html`<p>${prose(operation.description)}</p>` : ''}
    ${parameters(operation)}
    ${request ? html`<h4>Request body</h4>${content(request)}` : ''}
    <h4>Responses</h4>
    ${responses.map(([status, response]) => html`<div><strong>${status}</strong> ${prose(response.description)}${content(response)}</div>`)}
  </details>`;
}

function dialectSection(dialect: string, document: OpenApiDocument) {
  const byTag = new Map<string, HtmlEscapedString[]>();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const tag = operation.tags?.[0] ?? 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationEntry(dialect, path, method, operation) as HtmlEscapedString]);
    }
  }
  const components = Object.entries(document.components?.schemas ?? {});
  return html`<section id="${dialect}">
    <h2>${TITLES[dialect] ?? dialect}</h2>
    <p>${prose(document.info.description)} <a href="/openapi/${dialect}.json">OpenAPI 3.1 document</a></p>
    ${[...byTag].map(([tag, entries]) => html`<h3>${tag}</h3><p>${prose(document.tags?.find((t) => t.name === tag)?.description)}</p>${entries}`)}
    ${components.length > 0 ? html`<h3>Schemas</h3>${components.map(([name, schema]) => html`<details id="${dialect}-schema-${name}"><summary><code>${name}</code></summary><pre>${schemaText(schema)}</pre></details>`)}` : ''}
  </section>`;
}

export function referencePage(documents: { dialect: string; document: OpenApiDocument }[]) {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>jobplane API reference</title><style>${raw(STYLE)}</style></head>
<body>
<h1>jobplane API reference</h1>
<nav><a href="/ui/">Web UI</a>${documents.map(({ dialect }) => html`<a href="#${dialect}">${TITLES[dialect] ?? dialect}</a>`)}</nav>
${documents.map(({ dialect, document }) => dialectSection(dialect, document))}
</body>
</html>`;
}
