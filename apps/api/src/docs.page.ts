import type { OpenApiDocument, Operation } from './openapi.document.js';

// /docs as a page that needs nothing from the network (no Swagger UI bundle): every operation of the OpenAPI
// document with its parameters, body and answers, and a link to the document itself for tools.

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const json = (value: unknown) => `<pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;

function operation(path: string, method: string, op: Operation): string {
  const auth = op.security?.length ? Object.keys(op.security[0]!)[0] : 'none';
  const params = op.parameters.length
    ? `<ul>${op.parameters
        .map(
          (p) =>
            `<li><code>${escapeHtml(p.name)}</code> (${p.in}${p.required ? ', required' : ''}) ${json(p.schema)}</li>`,
        )
        .join('')}</ul>`
    : '';
  const body = op.requestBody ? `<p>Body</p>${json(op.requestBody.content['application/json'].schema)}` : '';
  const answers = Object.entries(op.responses)
    .map(([status, r]) => {
      const schema = r.content && Object.values(r.content)[0]?.schema;
      return `<li><b>${status}</b> ${escapeHtml(r.description)}${schema && Number(status) < 400 ? json(schema) : ''}</li>`;
    })
    .join('');
  return (
    `<section><h3><span class="m">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>` +
    `<p>${escapeHtml(op.summary)} <small>auth: ${escapeHtml(auth)}</small></p>${params}${body}<ul>${answers}</ul></section>`
  );
}

export function renderDocsPage(doc: OpenApiDocument): string {
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => operation(path, method, op!)),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(doc.info.title)} API</title>
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
section{border-top:1px solid #ddd}pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:12px}
.m{display:inline-block;min-width:4.5rem;color:#075}small{color:#666}</style></head>
<body><h1>${escapeHtml(doc.info.title)} API</h1><p>${escapeHtml(doc.info.description)}</p>
<p>Machine-readable: <a href="/docs/openapi.json">/docs/openapi.json</a> (OpenAPI 3.1).</p>
${ops.join('\n')}
</body></html>
`;
}
