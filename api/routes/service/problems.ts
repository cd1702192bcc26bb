import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { PROBLEM_KINDS } from '../../http/problem.js';

/**
 * The pages behind problem `type`s (`/problems/validation-failed`): a problem's `type` is a URI
 * reference relative to the API, so a person who follows it from an error lands on what it means
 * and what to do. Rendered from the one table of codes (http/problem.ts).
 */

/** `use \`foo\` here` → text with `<code>` spans (the table writes code the way Markdown does). */
const withCode = (text: string) => text.split('`').map((part, i) => (i % 2 ? html`<code>${part}</code>` : html`${part}`));

const page = (title: string, body: HtmlEscapedString | Promise<HtmlEscapedString>) => html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;line-height:1.5}code{background:#f3f3f3;padding:0 .2rem}</style></head>
<body>${body}<p><a href="/problems">All problems</a> · <a href="/docs">API reference</a></p></body></html>`;

/** The page of one problem, or undefined for a slug that names none. */
export function problemPage(slug: string) {
  const problem = PROBLEM_KINDS.find((kind) => kind.slug === slug);
  return problem && page(problem.title, html`<h1>${problem.title}</h1>
<p><code>${problem.code}</code> · HTTP ${problem.status}</p>
<p>${withCode(problem.about)}</p>`);
}

export const problemIndex = () => page('Problems', html`<h1>Problems</h1>
<p>Every error is RFC 9457 <code>application/problem+json</code> with one of these codes.</p>
<ul>${PROBLEM_KINDS.map((kind) => html`<li><a href="/problems/${kind.slug}"><code>${kind.code}</code></a> (${kind.status}) ${kind.title}</li>`)}</ul>`);
