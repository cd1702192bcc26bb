/**
 * zod for every schema the public API documents, extended with `.openapi()` before any of them
 * exists. zod 4 copies methods onto each schema as it is created, so a schema made before
 * `extendZodWithOpenApi` ran never gets `.openapi()`; importing `z` from here (which applies the
 * extension) instead of from 'zod' makes that order hold under any loader or bundler, not only
 * under today's import order. Pure: the extension only attaches metadata.
 */
export { z } from '@hono/zod-openapi';
