import { html, raw } from 'hono/html';

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  parameters?: { name: string; in: string; description?: string; required?: boolean }[];
  responses?: Record<string, { description?: string }>;
}

/**
 * A browsable reference rendered on the server from the OpenAPI document. Hand-written on purpose:
 * the usual Swagger/Scalar pages load their scripts from a CDN, which a laptop running offline
 * (or a locked-down network) cannot reach.
 */
export function docsPage(document: Record<string, unknown>) {
  const doc = document as { info: { title: string; description: string; version: string }; paths: Record<string, Record<string, Operation>> };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => html`
        <section id="${op.operationId ?? ''}">
          <h2><code>${method.toUpperCase()} ${path}</code></h2>
          <p><strong>${op.summary ?? ''}</strong></p>
          <p>${op.description ?? ''}</p>
          ${op.parameters?.length ? html`<h3>Parameters</h3><ul>${op.parameters.map((p) => html`<li><code>${p.name}</code> (${p.in}${p.required ? ', required' : ''}) ${p.description ?? ''}</li>`)}</ul>` : ''}
          <h3>Responses</h3>
          <ul>${Object.entries(op.responses ?? {}).map(([status, r]) => html`<li><code>${status}</code> ${r.description ?? ''}</li>`)}</ul>
        </section>`),
    );
    return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${doc.info.title}</title>
<style>${raw('body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}code{background:#f3f3f3;padding:0 .2rem}section{border-top:1px solid #ddd;margin-top:1.5rem}')}</style></head>
<body><h1>${doc.info.title} <small>${doc.info.version}</small></h1><p>${doc.info.description}</p>
<p>Machine-readable: <a href="/openapi.yaml">/openapi.yaml</a> (OpenAPI 3.1; generate a client with openapi-typescript).</p>
${operations}</body></html>`;
}
