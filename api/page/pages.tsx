import type { Context } from 'hono';
import { html } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { Deps } from '../deps.js';
import { ENVIRONMENT_STATES, type EnvironmentState } from '../domain/environment.js';
import { DomainError, notFound } from '../domain/errors.js';
import { ENVIRONMENT_ID } from '../domain/ids.js';
import { requirePrincipal } from '../http/auth.js';
import { PROBLEM_KINDS } from '../http/problem.js';
import type { AppEnv } from '../http/types.js';
import { ctxOf } from '../routes/contract.js';
import { parseLabels } from '../routes/environments/list.js';
import type { ServiceContext } from '../services/context.js';
import { getEnvironment } from '../services/environments/get.js';
import { getPlan } from '../services/environments/get-plan.js';
import { listEnvironments } from '../services/environments/list.js';
import { listEvents } from '../services/environments/list-events.js';
import { toView } from '../services/common/view.js';
import { EnvironmentMain, Summary } from './environment.js';
import { Document, Notice, TokenForm, type PageKind } from './layout.js';
import { ListMain, ListSection, type ListFilters } from './list.js';

/**
 * The page handlers (loaded on the first request for a page, see index.ts). A page is rendered on
 * the server from the same verbs the API routes call, as the caller: a navigation is authenticated
 * like an API request (locally, with no API_TOKEN, everyone may look), and when it cannot be (a
 * browser sends no bearer token when it navigates) the page is the token form, whose script
 * then asks for the content with the token — the same URL with a `Page-Fragment` header naming
 * the part it wants, answered with that part alone (or a problem, e.g. 401 for a wrong token).
 */

const FRAGMENT_HEADER = 'page-fragment';

/**
 * Only this server's script and stylesheet run or style the page (no inline script, no CDN):
 * if escaping ever failed somewhere, injected markup still could not run code.
 */
const PAGE_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
  Vary: 'Accept, Authorization, Page-Fragment',
};

/** A page's content: its title, `main`, and the other parts the script may ask for alone (by element id). */
interface Content {
  title: string;
  main: Child;
  parts: Record<string, Child>;
}

const statusOf = (code: string) => PROBLEM_KINDS.find((kind) => kind.code === code)?.status ?? 500;

async function servePage(deps: Deps, c: Context<AppEnv>, page: { title: string; kind: PageKind; content: (ctx: ServiceContext) => Promise<Content> }): Promise<Response> {
  const fragment = c.req.header(FRAGMENT_HEADER);
  let content: Content;
  try {
    await requirePrincipal(deps.auth.authenticator, deps.auth.policy)(c, async () => {});
    content = await page.content(ctxOf(c));
  } catch (error) {
    // The script asked: it reads the problem (a 401 makes it ask for the token again).
    if (fragment || !(error instanceof DomainError)) throw error;
    const body = error.code === 'UNAUTHENTICATED' ? <TokenForm /> : <Notice title={page.title} detail={error.message} />;
    return c.html(html`<!doctype html>${<Document title={page.title} kind={page.kind}>{body}</Document>}`, error.code === 'UNAUTHENTICATED' ? 200 : statusOf(error.code), PAGE_HEADERS);
  }
  if (fragment) {
    const parts: Record<string, Child> = { main: content.main, ...content.parts };
    if (!Object.hasOwn(parts, fragment)) throw new DomainError('INVALID_ARGUMENT', `this page has no part ${fragment}; ask for one of ${Object.keys(parts).join(', ')}`);
    return c.html(<>{parts[fragment]}</>, 200, PAGE_HEADERS);
  }
  return c.html(html`<!doctype html>${<Document title={content.title} kind={page.kind}>{content.main}</Document>}`, 200, PAGE_HEADERS);
}

const isState = (value: string | undefined): value is EnvironmentState => ENVIRONMENT_STATES.includes(value as EnvironmentState);

/** `/`: the environments, newest first, filtered like `GET /environments`. */
export function homePage(deps: Deps, c: Context<AppEnv>): Promise<Response> {
  const state = c.req.query('state');
  const filters: ListFilters = {
    state: isState(state) ? state : undefined,
    project: c.req.query('project') || undefined,
    labels: (c.req.queries('label') ?? []).filter(Boolean),
  };
  return servePage(deps, c, {
    title: 'Environments',
    kind: 'list',
    async content(ctx) {
      const now = deps.now().getTime();
      let list: Child;
      try {
        if (state && !isState(state)) throw new DomainError('INVALID_ARGUMENT', `no state ${state}; the states are ${ENVIRONMENT_STATES.join(', ')}`);
        const page = await listEnvironments(deps, ctx, {
          pageSize: 50, pageToken: c.req.query('pageToken') || undefined, state: filters.state, project: filters.project, labels: filters.labels.length ? parseLabels(filters.labels) : undefined,
        });
        list = <ListSection environments={page.items.map((record) => toView(record, deps))} filters={filters} nextPageToken={page.nextPageToken} now={now} />;
      } catch (error) {
        // A filter the API refuses (or a caller who must name a project) is said where the table would be.
        if (!(error instanceof DomainError) || error.code === 'UNAUTHENTICATED') throw error;
        list = <ListSection environments={[]} filters={filters} problem={error.message} now={now} />;
      }
      return { title: 'Environments', main: <ListMain filters={filters}>{list}</ListMain>, parts: { list } };
    },
  });
}

/** `/ui/environments/{id}`: one environment with its stages, timeline, outputs, actions and events. */
export function environmentPage(deps: Deps, c: Context<AppEnv>): Promise<Response> {
  const id = c.req.param('id') ?? '';
  return servePage(deps, c, {
    title: 'Environment',
    kind: 'environment',
    async content(ctx) {
      if (!ENVIRONMENT_ID.test(id)) throw notFound(`environment ${id}`);
      const env = toView(await getEnvironment(deps, ctx, { id }), deps);
      const [plan, events] = await Promise.all([getPlan(deps, ctx, { id }), listEvents(deps, ctx, { id, pageSize: 50, order: 'desc' })]);
      const data = { env, steps: plan.steps, events: events.items, now: deps.now().getTime() };
      return { title: env.name, main: <EnvironmentMain {...data} />, parts: { summary: <Summary {...data} /> } };
    },
  });
}
