// @ts-check
/**
 * The status page's script: an ES module served as it is written (no build step; type-checked by
 * tsc with ./tsconfig.json). The server renders every page and part of one; this script only
 *
 *   - asks for the API token once when the service needs one, keeps it in this tab's
 *     sessionStorage and sends it as `Authorization: Bearer` — never in a URL, so it reaches no
 *     access log, history or Referer;
 *   - follows a running operation live: it reads `GET …/events:watch` with fetch (EventSource
 *     cannot send a header) through eventsource-parser, adds each event to the feed and asks the
 *     server for the refreshed summary (stages, timeline, outputs, actions);
 *   - sends the actions (delete, retry, cancel) after a confirmation, and copies values.
 *
 * Server HTML is inserted only as the server rendered it (escaped by JSX); anything from an event
 * is set as text.
 */
import { createParser } from './eventsource-parser.js';

const TOKEN_KEY = 'saxml-environments.token';
const REFUSED_KEY = 'saxml-environments.token-refused';
const FRAGMENT_HEADER = 'Page-Fragment';
/** The list refreshes often while an environment on it changes, rarely otherwise. */
const LIST_REFRESH_MS = { busy: 3000, idle: 30000 };
/** An environment that runs nothing is looked at again now and then (an operation may start elsewhere). */
const SUMMARY_IDLE_REFRESH_MS = 15000;
/** Events arrive in bursts (a wave of steps): the summary is refreshed at most this often. */
const SUMMARY_REFRESH_DELAY_MS = 400;
const FEED_LIMIT = 300;
const MAX_BACKOFF_MS = 15000;

/** @param {string} id */
const byId = (id) => document.getElementById(id);
const token = () => sessionStorage.getItem(TOKEN_KEY);
/** @param {number} ms */
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** @param {Record<string, string>} [extra] */
function apiHeaders(extra = {}) {
  const headers = new Headers(extra);
  const bearer = token();
  if (bearer) headers.set('Authorization', `Bearer ${bearer}`);
  return headers;
}

/** A problem+json answer in one sentence. @param {Response} res */
async function problemText(res) {
  try {
    const problem = await res.json();
    return String(problem.detail || problem.title || `HTTP ${res.status}`);
  } catch {
    return `HTTP ${res.status}`;
  }
}

/** @param {string} text */
function flash(text) {
  const element = byId('flash');
  if (element) element.textContent = text;
}

// ---- the token ---------------------------------------------------------------------------------

/** The service refused the token: forget it and show the form again (the page reloads as a navigation). @param {string} detail */
function tokenRefused(detail) {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.setItem(REFUSED_KEY, detail);
  location.reload();
}

/** The page came without content because the service needs a token: load it with the token, or ask for one. */
async function loadWithToken() {
  const form = byId('token-form');
  const error = byId('token-error');
  const refused = sessionStorage.getItem(REFUSED_KEY);
  sessionStorage.removeItem(REFUSED_KEY);
  if (token()) {
    const res = await fetch(location.pathname + location.search, { headers: apiHeaders({ [FRAGMENT_HEADER]: 'main', Accept: 'text/html' }) });
    if (res.ok) {
      replacePart('main', await res.text());
      return;
    }
    sessionStorage.removeItem(TOKEN_KEY);
    if (error) {
      error.textContent = `The service refused the token: ${await problemText(res)}`;
      error.hidden = false;
    }
  } else if (refused && error) {
    error.textContent = `The service refused the token: ${refused}`;
    error.hidden = false;
  }
  if (form) {
    form.hidden = false;
    form.querySelector('input')?.focus();
  }
}

// ---- parts of the page -------------------------------------------------------------------------

/** Puts a part the server rendered in place of the element with its id. @param {string} id @param {string} html */
function replacePart(id, html) {
  const template = document.createElement('template');
  template.innerHTML = html;
  byId(id)?.replaceWith(template.content);
  enhance();
}

let refreshes = Promise.resolve();
/** Asks the server for one part of this page again; one request at a time, so parts never go back in time. @param {string} id */
function refresh(id) {
  refreshes = refreshes.then(async () => {
    try {
      const res = await fetch(location.pathname + location.search, { headers: apiHeaders({ [FRAGMENT_HEADER]: id, Accept: 'text/html' }) });
      if (res.status === 401) return tokenRefused(await problemText(res));
      if (!res.ok) return flash(`Could not refresh the page: ${await problemText(res)}`);
      replacePart(id, await res.text());
    } catch {
      flash('The service cannot be reached; the page shows what it last knew.');
    }
  });
  return refreshes;
}

let summaryRefreshQueued = false;
function refreshSummarySoon() {
  if (summaryRefreshQueued) return;
  summaryRefreshQueued = true;
  setTimeout(() => {
    summaryRefreshQueued = false;
    void refresh('summary');
  }, SUMMARY_REFRESH_DELAY_MS);
}

/** Wires what the current content needs (after the first load and after each replaced part). */
function enhance() {
  byId('forget-token')?.toggleAttribute('hidden', !token());
  if (byId('summary')) void follow();
}

// ---- the live feed -----------------------------------------------------------------------------

let following = false;

/** While an operation runs, reads its events as they happen; the stream ends with the operation. */
async function follow() {
  const summary = byId('summary');
  const id = summary?.dataset.envId;
  if (following || !id || summary.dataset.running !== 'true') return;
  following = true;
  try {
    await watch(id);
  } finally {
    following = false;
    byId('live')?.setAttribute('hidden', '');
  }
}

/** @param {string} id */
async function watch(id) {
  for (let attempt = 0; ; attempt++) {
    let ended = false;
    try {
      const after = Number(byId('feed')?.dataset.lastSeq ?? 0);
      const res = await fetch(`/environments/${encodeURIComponent(id)}/events:watch?until=operationEnd&after=${after}`, {
        headers: apiHeaders({ Accept: 'text/event-stream' }),
      });
      if (res.status === 401) return tokenRefused(await problemText(res));
      // 503: this instance serves as many streams as it may; anything else 4xx will not change by retrying.
      if (!res.ok && res.status !== 503 && res.status < 500) return flash(`Live events stopped: ${await problemText(res)}`);
      if (res.ok && res.body) {
        byId('live')?.removeAttribute('hidden');
        const parser = createParser({
          onEvent(message) {
            if (message.event === 'end') ended = true;
            else if (message.event === 'error') flash(`Live events failed: ${JSON.parse(message.data).detail}`);
            else {
              addEvent(JSON.parse(message.data));
              attempt = 0;
            }
            refreshSummarySoon();
          },
        });
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.feed(value);
        }
      }
    } catch {
      // The connection failed or dropped: resume after the last event shown.
    }
    if (ended) return;
    byId('live')?.setAttribute('hidden', '');
    await delay(Math.min(500 * 2 ** attempt, MAX_BACKOFF_MS));
  }
}

/**
 * @typedef {{ seq: number, time: string, type: string, message: string, details?: { code?: unknown, error?: { code?: unknown } } }} FeedEvent
 * @param {FeedEvent} event
 */
function addEvent(event) {
  const feed = byId('feed');
  const template = byId('event-template');
  if (!feed || !(template instanceof HTMLTemplateElement)) return;
  // Each event once: a reconnect resumes after the last seq, but a refresh may have raced it.
  if (event.seq <= Number(feed.dataset.lastSeq ?? 0)) return;
  const row = /** @type {HTMLElement} */ (template.content.firstElementChild?.cloneNode(true));
  row.dataset.seq = String(event.seq);
  row.dataset.type = event.type;
  const time = row.querySelector('time');
  if (time) {
    time.dateTime = event.time;
    time.textContent = event.time.slice(11, 19);
  }
  const code = event.details?.error?.code ?? event.details?.code;
  for (const [selector, text] of [['.type', event.type], ['.message', event.message], ['.code', typeof code === 'string' ? code : '']]) {
    const cell = row.querySelector(selector);
    if (cell) cell.textContent = text;
  }
  row.classList.add('new');
  feed.prepend(row);
  feed.dataset.lastSeq = String(event.seq);
  while (feed.children.length > FEED_LIMIT) feed.lastElementChild?.remove();
}

// ---- actions -----------------------------------------------------------------------------------

/** @type {HTMLElement | undefined} */
let pendingAction;

/** @param {HTMLElement} button */
function confirmAction(button) {
  const dialog = byId('confirm');
  if (!(dialog instanceof HTMLDialogElement)) return;
  pendingAction = button;
  const set = (/** @type {string} */ id, /** @type {string} */ text) => {
    const element = byId(id);
    if (element) element.textContent = text;
  };
  set('confirm-title', button.dataset.title ?? '');
  set('confirm-text', button.dataset.text ?? '');
  set('confirm-button', button.textContent?.replace('…', '') ?? 'Confirm');
  byId('confirm-error')?.setAttribute('hidden', '');
  const bootstrap = byId('confirm-bootstrap');
  bootstrap?.toggleAttribute('hidden', button.dataset.action !== 'delete');
  const checkbox = bootstrap?.querySelector('input');
  if (checkbox) checkbox.checked = false;
  dialog.showModal();
}

/** Sends the confirmed action; the dialog stays open with the problem when the API refuses it. */
async function sendAction() {
  const button = pendingAction;
  const dialog = byId('confirm');
  if (!button || !(dialog instanceof HTMLDialogElement)) return;
  const url = new URL(button.dataset.path ?? '', location.origin);
  if (button.dataset.action === 'delete' && byId('confirm-bootstrap')?.querySelector('input')?.checked) url.searchParams.set('deleteBootstrap', 'true');
  const headers = apiHeaders();
  if (button.dataset.ifMatch) headers.set('If-Match', button.dataset.ifMatch);
  const confirm = /** @type {HTMLButtonElement | null} */ (byId('confirm-button'));
  if (confirm) confirm.disabled = true;
  try {
    const res = await fetch(url, { method: button.dataset.method, headers });
    if (res.status === 401) return tokenRefused(await problemText(res));
    if (!res.ok) {
      const error = byId('confirm-error');
      if (error) {
        error.textContent = res.status === 412 ? 'The environment changed since the page showed it: look again, then decide.' : await problemText(res);
        error.hidden = false;
      }
      if (res.status === 412 || res.status === 409) void refresh('summary');
      return;
    }
    dialog.close();
    await refresh('summary');
  } catch {
    const error = byId('confirm-error');
    if (error) {
      error.textContent = 'The service cannot be reached.';
      error.hidden = false;
    }
  } finally {
    if (confirm) confirm.disabled = false;
  }
}

// ---- copy --------------------------------------------------------------------------------------

/** @param {HTMLElement} button */
async function copy(button) {
  const text = button.dataset.copy ?? '';
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No clipboard API (a page served over plain http from another host): select the text instead.
    const code = button.previousElementSibling;
    if (code) getSelection()?.selectAllChildren(code);
    return;
  }
  button.textContent = 'Copied';
  button.classList.add('copied');
  setTimeout(() => {
    button.textContent = 'Copy';
    button.classList.remove('copied');
  }, 1500);
}

// ---- start -------------------------------------------------------------------------------------

/** Listeners on the document, so parts replaced later need no wiring. */
document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const copyButton = target?.closest('[data-copy]');
  if (copyButton instanceof HTMLElement) void copy(copyButton);
  const action = target?.closest('[data-action]');
  if (action instanceof HTMLElement) confirmAction(action);
  if (target?.closest('#forget-token')) {
    sessionStorage.removeItem(TOKEN_KEY);
    location.reload();
  }
});

document.addEventListener('change', (event) => {
  if (event.target instanceof HTMLInputElement && event.target.id === 'hide-steps') byId('feed')?.classList.toggle('hide-steps', event.target.checked);
});

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.id === 'token-form') {
    event.preventDefault();
    const value = new FormData(form).get('token');
    if (typeof value === 'string' && value.trim()) sessionStorage.setItem(TOKEN_KEY, value.trim());
    void loadWithToken();
  } else if (form.closest('#confirm') && event instanceof SubmitEvent && event.submitter instanceof HTMLButtonElement && event.submitter.value === 'confirm') {
    event.preventDefault();
    void sendAction();
  }
});

/** The list page refreshes its table; the first one may come only after the token is given. */
function refreshListLater() {
  const busy = byId('list')?.dataset.busy === 'true';
  setTimeout(async () => {
    if (byId('list') && document.visibilityState === 'visible') await refresh('list');
    refreshListLater();
  }, busy ? LIST_REFRESH_MS.busy : LIST_REFRESH_MS.idle);
}

if (byId('main')?.dataset.needsToken) void loadWithToken();
else enhance();
if (document.body.dataset.page === 'list') refreshListLater();
else {
  setInterval(() => {
    if (!following && document.visibilityState === 'visible' && byId('summary')) void refresh('summary');
  }, SUMMARY_IDLE_REFRESH_MS);
}
