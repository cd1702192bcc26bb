import { Hono } from 'hono';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxWithWorkflowIdentity } from '../../api/compose/local.js';
import type { Sandbox } from '../../api/sandbox/index.js';
import { browserSkipReason, launchBrowser, type Browser } from '../support/browser.js';
import { created, serverClient } from '../support/client.js';
import { SMALLEST_SPEC } from '../support/fixtures.js';
import { startLocalWorld, type LocalWorld } from '../support/local-world.js';

/**
 * The status page in a real headless browser (Debian's chromium, driven by playwright-core) on the
 * whole local profile: a create seen from the list, followed live on the environment's page while
 * it provisions, then deleted from the page — with API_TOKEN set, so the page asks for the token
 * once and sends it as a bearer (never in a URL).
 *
 * "While it provisions" is made certain, not timed: the sandbox holds every GKE call until the test
 * lets it go, so the create cannot finish before the page is open and watching.
 */

const skipReason = browserSkipReason();
if (skipReason) console.warn(`status page browser test skipped: ${skipReason}`);

const TOKEN = 'browser-test-token-0123456789abcdef';
/** `npm start`'s scale: a create takes about ten seconds once the GKE calls are let through. */
const TIME_SCALE = 0.01;

/** The sandbox with a gate in front of the GKE API (container.googleapis.com): calls wait until `open()`. */
function gatedSandbox(sandbox: Sandbox) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let held = 0;
  const app = new Hono()
    .use('/container/*', async (_c, next) => {
      held++;
      await opened;
      await next();
    })
    .route('/', sandbox.app);
  return { sandbox: { ...sandbox, app } as Sandbox, open, held: () => held };
}

const text = (page: Page, selector: string) => page.locator(selector).first().textContent();

describe.skipIf(skipReason !== undefined)('the status page in a browser', () => {
  let world: LocalWorld;
  let browser: Browser;
  let gate: ReturnType<typeof gatedSandbox>;

  beforeAll(async () => {
    gate = gatedSandbox(await sandboxWithWorkflowIdentity({ timeScale: TIME_SCALE }));
    world = await startLocalWorld({ sandbox: gate.sandbox, timeScale: TIME_SCALE, env: { API_TOKEN: TOKEN } });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    gate?.open();
    await browser?.close();
    await world?.stop();
  });

  it('lists a created environment, follows it live while it provisions, and deletes it after a confirmation', { timeout: 180_000 }, async () => {
    const env = await created(serverClient(world.baseUrl, { authorization: `Bearer ${TOKEN}` }), { ...SMALLEST_SPEC, labels: { team: 'serving' }, saxml: { enabled: false } });
    const page = await browser.context.newPage();
    page.setDefaultTimeout(60_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));

    // The list: the service needs a token, so the page asks for it, once.
    await page.goto(`${world.baseUrl}/`);
    await page.locator('#token-form').waitFor();
    await page.fill('#token-form input[name=token]', TOKEN);
    await page.click('#token-form button[type=submit]');
    const row = page.locator(`tr[data-id="${env.id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('CREATING');
    expect(await row.locator('.badge').textContent()).toBe('CREATING');
    expect(await row.locator('a.label').textContent()).toBe('team:serving');

    // The environment's page, opened from the list; the token is not asked again.
    await row.locator(`a[href="/ui/environments/${env.id}"]`).click();
    await page.locator('#summary[data-running="true"]').waitFor();
    expect(await page.locator('#token-form').count()).toBe(0);
    // Browser-side code as strings: this project's TypeScript has no DOM types.
    await page.evaluate('window.loadedOnce = true');
    const lastSeqAtLoad = Number(await page.getAttribute('#feed', 'data-last-seq'));

    // Held at the cluster: bootstrap finishes, base waits on GKE with the cluster's bar running.
    await page.locator('#summary tr[data-stage="bootstrap"][data-state="SUCCEEDED"]').waitFor();
    await page.locator('#summary g.step.state-running[data-step="base.cluster"]').waitFor();
    expect(gate.held()).toBeGreaterThan(0);
    expect(await page.getAttribute('#summary tr[data-stage="base"]', 'data-state')).toBe('RUNNING');
    expect(await text(page, '#summary h1 .badge')).toBe('CREATING');
    await page.locator('#live').waitFor();

    // Let GKE answer: the same page moves on, live, to ACTIVE.
    gate.open();
    await page.locator('#summary h1 .badge', { hasText: 'ACTIVE' }).waitFor();
    await page.locator('#summary tr[data-stage="base"][data-state="SUCCEEDED"]').waitFor();
    await page.locator('#feed li[data-type="environment.active"]').waitFor();
    expect(await page.evaluate('window.loadedOnce')).toBe(true);
    expect(await page.locator('#summary g.step.state-succeeded').count()).toBe(env.stages.reduce((n, s) => n + s.steps.total, 0));

    // Every event once, newest first: the latest ones the server rendered, then each that arrived live.
    const seqs = (await page.locator('#feed li').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-seq'))))).reverse();
    const history: number[] = [];
    for (let pageToken: string | undefined, first = true; first || pageToken; first = false) {
      const events = await world.runtime.deps.store.listEvents(env.id, { pageSize: 100, pageToken });
      history.push(...events.items.map((e) => e.seq));
      pageToken = events.nextPageToken;
    }
    expect(seqs[0]).toBeLessThanOrEqual(lastSeqAtLoad);
    expect(seqs).toEqual(history.slice(history.indexOf(seqs[0]!)));

    // Outputs: the command to use the cluster, copied with one click.
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: world.baseUrl });
    const credentials = page.locator('.usage button.copy').first();
    await credentials.click();
    await page.locator('.usage button.copy.copied').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe('gcloud container clusters get-credentials demo-saxml-gke-cluster --region us-west1 --project my-project-1');

    // Delete, after the confirmation (also asking for the project's bootstrap resources).
    await page.click('#summary button[data-action="delete"]');
    await page.locator('dialog#confirm[open]').waitFor();
    expect(await text(page, '#confirm-title')).toBe('Delete demo?');
    await page.check('#confirm-bootstrap input');
    await page.click('#confirm-button');
    await page.locator('#summary h1 .badge', { hasText: 'DELETED' }).waitFor();
    expect(await page.locator('dialog#confirm[open]').count()).toBe(0);
    await page.locator('#feed li[data-type="environment.deleted"]').waitFor();
    const record = await world.runtime.deps.store.get(env.id);
    expect(record).toMatchObject({ state: 'DELETED', operation: { kind: 'delete', state: 'SUCCEEDED', deleteBootstrap: true } });
    expect(await page.locator('#summary [data-action]').count()).toBe(0);

    // Nothing but this server was asked for, and the token never went into a URL (or a log line).
    expect(browser.requests.filter((url) => !url.startsWith(`${world.baseUrl}/`))).toEqual([]);
    expect(browser.requests.filter((url) => url.includes(TOKEN))).toEqual([]);
    expect(world.logs.filter((line) => line.includes(TOKEN))).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
