import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Hono, type Context, type Handler } from 'hono';
import { accepts } from 'hono/accepts';
import type { Deps } from '../deps.js';
import { problem } from '../http/problem.js';
import type { AppEnv } from '../http/types.js';

/**
 * The status page: `/` for a browser (the list), `/ui/environments/{id}` (one environment) and
 * the page's own files under `/ui/assets/`. This module is all the service loads at start-up:
 * the pages themselves (JSX, the timeline) are imported on the first request for one, so an
 * API-only instance never pays for them.
 */

const here = dirname(fileURLToPath(import.meta.url));
const resolvePackage = createRequire(import.meta.url).resolve;

/**
 * The files a page loads, by the name it asks for; nothing else is served. The script and the
 * stylesheet sit beside this module (`npm run build` copies them beside the bundle); the SSE
 * parser is the eventsource-parser package's own ES module, served from node_modules, so the
 * page needs no build step of its own.
 */
const ASSETS = {
  'page.js': { type: 'text/javascript; charset=utf-8', path: () => join(here, 'assets', 'page.js') },
  'page.css': { type: 'text/css; charset=utf-8', path: () => join(here, 'assets', 'page.css') },
  'eventsource-parser.js': {
    type: 'text/javascript; charset=utf-8',
    path: () => join(dirname(resolvePackage('eventsource-parser/package.json')), 'dist', 'index.js'),
  },
} as const;
type AssetName = keyof typeof ASSETS;
const isAsset = (name: string): name is AssetName => Object.hasOwn(ASSETS, name);

/** Unversioned URLs: the browser revalidates on every load, so a new release never meets an old script. */
function asset(name: AssetName): Response {
  const body = Readable.toWeb(createReadStream(ASSETS[name].path())) as ReadableStream<Uint8Array>;
  return new Response(body, { headers: { 'Content-Type': ASSETS[name].type, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' } });
}

/** A browser navigating (HTML preferred over JSON); curl's `*\/*` and API clients get JSON. */
export const wantsPage = (c: Context): boolean =>
  accepts(c, { header: 'Accept', supports: ['application/json', 'text/html'], default: 'application/json' }) === 'text/html';

export interface StatusPage {
  /** `GET /` when wantsPage: the environments. */
  home: Handler<AppEnv>;
  /** `/ui/…`: an environment's page and the page's files. */
  routes: Hono<AppEnv>;
}

export function statusPage(deps: Deps): StatusPage {
  let pages: Promise<typeof import('./pages.js')> | undefined;
  const load = () => (pages ??= import('./pages.js'));
  return {
    home: async (c) => (await load()).homePage(deps, c),
    routes: new Hono<AppEnv>()
      .get('/ui/environments/:id', async (c) => (await load()).environmentPage(deps, c))
      .get('/ui/assets/:name', (c) => {
        const name = c.req.param('name');
        return isAsset(name) ? asset(name) : problem(c, 'ROUTE_NOT_FOUND', `no file ${name} in the status page`);
      }),
  };
}
