import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { html, raw } from 'hono/html';

/**
 * `/docs`: Swagger UI (swagger-ui-dist, a maintained renderer published on npm) served from
 * node_modules, never from a CDN, so the reference works offline and on locked-down networks. It
 * renders the document's request and response schemas with their defaults and examples, and
 * descriptions as Markdown. Nothing of it is read at start-up: the files are streamed on request.
 */

/** The files the page loads, by the name it asks for; nothing else of the package is served. */
const ASSETS = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
} as const;
export type DocsAsset = keyof typeof ASSETS;
export const isDocsAsset = (name: string): name is DocsAsset => Object.hasOwn(ASSETS, name);

let assetFolder: string | undefined;
/** Found on first use, where Node finds packages (node_modules beside `api/`, or beside `dist/` in the image). */
const resolvePackage = createRequire(import.meta.url).resolve;
const assetsDir = () => (assetFolder ??= dirname(resolvePackage('swagger-ui-dist/package.json')));

/** A file of the renderer; its URL carries no version, so browsers revalidate it daily. */
export function docsAsset(name: DocsAsset): Response {
  const body = Readable.toWeb(createReadStream(join(assetsDir(), name))) as ReadableStream<Uint8Array>;
  return new Response(body, { headers: { 'Content-Type': ASSETS[name], 'Cache-Control': 'public, max-age=86400' } });
}

/** The page: the renderer pointed at this service's own document. */
export function docsPage(title: string) {
  const options = {
    url: '/openapi.yaml',
    dom_id: '#reference',
    deepLinking: true,
    docExpansion: 'list',
    defaultModelsExpandDepth: 1,
    defaultModelExpandDepth: 4,
    displayRequestDuration: true,
    persistAuthorization: true,
    // Swagger UI would otherwise send the document to an online validator for a badge.
    validatorUrl: null,
  };
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="reference"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle(${raw(JSON.stringify(options))});</script>
</body></html>`;
}
