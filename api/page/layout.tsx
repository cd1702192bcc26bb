import type { Child } from 'hono/jsx';
import type { EnvironmentState, OperationState, StageState } from '../domain/environment.js';
import type { SaxmlOutputs } from '../domain/saxml/outputs.js';

/**
 * The document around every page: one stylesheet and one module script from this server (no
 * CDN: the page works offline), the confirmation dialog and the token form. Everything
 * interpolated here goes through Hono's JSX, which escapes text and attributes; nothing in the
 * page uses dangerouslySetInnerHTML.
 */

export type PageKind = 'list' | 'environment';

export function Document(props: { title: string; kind: PageKind; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Saxml environments`}</title>
        {/* No favicon request (it would be a 404 in every log). */}
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/ui/assets/page.css" />
        <script type="module" src="/ui/assets/page.js"></script>
      </head>
      <body data-page={props.kind}>
        <header class="top">
          <a class="brand" href="/">Saxml environments</a>
          <nav>
            <a href="/docs">API reference</a>
            <button type="button" id="forget-token" class="link" hidden>Forget token</button>
          </nav>
        </header>
        <div id="flash" role="status" aria-live="polite"></div>
        {props.children}
        <ConfirmDialog />
      </body>
    </html>
  );
}

/** The one confirmation every action goes through; the script fills in what it is about. */
function ConfirmDialog() {
  return (
    <dialog id="confirm">
      <form method="dialog">
        <h2 id="confirm-title"></h2>
        <p id="confirm-text"></p>
        <label id="confirm-bootstrap" hidden>
          <input type="checkbox" name="deleteBootstrap" /> Also delete the project's bootstrap resources (when no other environment uses them)
        </label>
        <p id="confirm-error" class="problem" hidden></p>
        <menu>
          <button type="submit" value="cancel">Keep it</button>
          <button type="submit" value="confirm" id="confirm-button" class="danger">Confirm</button>
        </menu>
      </form>
    </dialog>
  );
}

/**
 * What a page shows when the API needs a token and the browser has not sent one (a navigation
 * carries no Authorization header): the script asks for it once, keeps it in this tab's
 * sessionStorage and loads the page's content with it as a bearer token.
 */
export function TokenForm() {
  return (
    <main id="main" data-needs-token="true">
      <form id="token-form" class="card" hidden>
        <h1>This service needs a token</h1>
        <p>
          Paste the token you use with the API: the <code>API_TOKEN</code> the service was started with, or in the cloud an
          ID token (<code>gcloud auth print-identity-token</code>). It stays in this tab (sessionStorage) and is sent only to
          this service, as <code>Authorization: Bearer</code>.
        </p>
        <input type="password" name="token" autocomplete="off" aria-label="API token" required />
        <button type="submit">Continue</button>
        <p id="token-error" class="problem" hidden></p>
      </form>
      <noscript>
        <p class="problem">This service needs a token, and the page sends it with a script: enable JavaScript, or use the API directly.</p>
      </noscript>
    </main>
  );
}

/** A page that could not be built (no such environment, not allowed): what the API would have said. */
export function Notice(props: { title: string; detail: string }) {
  return (
    <main id="main">
      <h1>{props.title}</h1>
      <p class="problem">{props.detail}</p>
      <p><a href="/">All environments</a></p>
    </main>
  );
}

/** A state as a coloured badge (the class comes from the enum, never from input). */
export const Badge = (props: { state: EnvironmentState | StageState | OperationState | SaxmlOutputs['state'] | SaxmlOutputs['models'][number]['state'] }) => (
  <span class={`badge state-${props.state.toLowerCase()}`}>{props.state}</span>
);

/** A value with a button that copies it. */
export const Copyable = (props: { text: string; label?: string }) => (
  <span class="copyable">
    <code>{props.text}</code>
    <button type="button" class="copy" data-copy={props.text} aria-label={`Copy ${props.label ?? props.text}`}>Copy</button>
  </span>
);
