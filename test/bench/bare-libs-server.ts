/**
 * The floor for our start-up: the bare app (bare-server.ts) after loading the libraries the
 * project mandates (zod via @hono/zod-openapi, better-sqlite3), in that order. A build of its own,
 * so that the plain bare app's script does not carry them.
 */
import '@hono/zod-openapi';
import 'better-sqlite3';
import './bare-server.js';
