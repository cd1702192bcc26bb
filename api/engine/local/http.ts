/**
 * `http.get/post/put/patch/delete/request` over the global (or injected) `fetch`, with Google's
 * request encoding, response decoding and errors:
 *   - body: bytes → application/octet-stream; anything else → JSON (`application/json; charset=utf-8`)
 *     unless a Content-Type header says otherwise (form-urlencoded maps, text);
 *   - response: `{code, headers, body}`; JSON content types are parsed, text types are strings,
 *     other bodies are bytes;
 *   - non-2xx → HttpError `{message, code, headers, body, tags: ["HttpError"]}`;
 *   - connection never established → ConnectionFailedError (+ConnectionError), broken transfer →
 *     ConnectionError, timeout → TimeoutError, response over 2 MB → ResourceLimitError,
 *     token provider failure → AuthError.
 * `auth: {type: OIDC|OAuth2}` gets its token from the injected provider; tokens and headers are
 * never logged. Timeouts are real time, measured with the injected clock (tests use a fake one).
 */
import { abortReason, type Clock } from './clock.js';
import { systemError, WorkflowError } from './errors.js';
import { LIMITS } from './limits.js';
import { fromJson, getKey, isBytes, isMap, newMap, toJsonText, typeName, type Value, type WfMap } from './values.js';

/** Supplies bearer tokens for `auth:` — the composition root decides where they come from. */
export interface TokenProvider {
  oauth2(scopes?: string[]): Promise<string>;
  oidc(audience: string): Promise<string>;
}

export interface HttpDeps {
  fetch: typeof fetch;
  clock: Clock;
  /** Aborted when the execution is cancelled. */
  signal: AbortSignal;
  tokens: TokenProvider;
  /** Call log (method, URL without query, status, duration) — never headers, bodies or tokens. */
  log?: (message: string, data: Record<string, unknown>) => void;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'];
const USER_AGENT_SUFFIX = 'GoogleCloudWorkflows; (+https://cloud.google.com/workflows/docs)';
/** Connect-phase failures (the connection was never established). */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

export async function httpCall(fn: string, args: WfMap, deps: HttpDeps): Promise<Value> {
  const method = requestMethod(fn, args);
  const url = requestUrl(args);
  const headers = requestHeaders(getKey(args, 'headers'));
  const timeoutSeconds = requestTimeout(getKey(args, 'timeout'));
  const body = encodeBody(getKey(args, 'body'), headers, method);

  const auth = getKey(args, 'auth');
  if (auth !== undefined && auth !== null) headers.set('Authorization', `Bearer ${await token(auth, url, deps.tokens)}`);
  const ua = headers.get('User-Agent');
  headers.set('User-Agent', ua ? `${ua} ${USER_AGENT_SUFFIX}` : USER_AGENT_SUFFIX);

  const controller = new AbortController();
  const onCancel = (): void => controller.abort(abortReason(deps.signal));
  if (deps.signal.aborted) throw abortReason(deps.signal);
  deps.signal.addEventListener('abort', onCancel, { once: true });
  let timedOut = false;
  deps.clock.sleep(timeoutSeconds * 1000, controller.signal).then(
    () => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    },
    () => undefined,
  );
  const started = deps.clock.now();
  try {
    const init: RequestInit = { method, headers: headers.toRecord(), signal: controller.signal, redirect: 'follow' };
    if (body !== undefined) init.body = body;
    const res = await deps.fetch(url, init);
    const raw = await readLimited(res, controller);
    const result = newMap([
      ['code', res.status],
      ['headers', responseHeaders(res.headers)],
      ['body', decodeBody(raw, res.headers.get('content-type'))],
    ]);
    deps.log?.(`${method} ${logUrl(url)} -> ${res.status}`, { method, url: logUrl(url), code: res.status, durationMs: deps.clock.now() - started });
    if (res.status < 200 || res.status > 299) {
      throw systemError('HttpError', `HTTP server responded with error code ${res.status}`, {
        code: res.status,
        headers: result['headers'] as Value,
        body: result['body'] as Value,
      });
    }
    return result;
  } catch (e) {
    if (e instanceof WorkflowError) throw e;
    if (deps.signal.aborted) throw abortReason(deps.signal);
    const code = errorCode(e);
    if (timedOut || (code !== undefined && TIMEOUT_CODES.has(code))) {
      deps.log?.(`${method} ${logUrl(url)} timed out`, { method, url: logUrl(url), timeoutSeconds });
      throw systemError(['TimeoutError', 'OSError'], 'request timed out');
    }
    deps.log?.(`${method} ${logUrl(url)} failed: ${code ?? 'error'}`, { method, url: logUrl(url), code: code ?? null });
    if (code !== undefined && CONNECT_FAILURES.has(code)) {
      throw systemError(['ConnectionFailedError', 'ConnectionError'], `connection failed: ${code}`);
    }
    throw systemError('ConnectionError', `connection error: ${code ?? (e as Error).message}`);
  } finally {
    deps.signal.removeEventListener('abort', onCancel);
    controller.abort(new Error('done')); // stops the timeout timer
  }
}

// ---------------------------------------------------------------- request

/** Header names are case-insensitive; we keep the caller's spelling for the wire. */
class HeaderBag {
  private readonly map = new Map<string, [string, string]>();
  set(name: string, value: string): void {
    this.map.set(name.toLowerCase(), [name, value]);
  }
  get(name: string): string | undefined {
    return this.map.get(name.toLowerCase())?.[1];
  }
  toRecord(): Record<string, string> {
    return Object.fromEntries([...this.map.values()]);
  }
}

function requestMethod(fn: string, args: WfMap): string {
  if (fn !== 'http.request') return fn.slice('http.'.length).toUpperCase();
  const m = getKey(args, 'method');
  if (typeof m !== 'string' || !METHODS.includes(m.toUpperCase())) throw systemError('ValueError', `http.request: method must be one of ${METHODS.join(', ')}`);
  return m.toUpperCase();
}

function requestUrl(args: WfMap): string {
  const raw = getKey(args, 'url');
  if (typeof raw !== 'string') throw systemError('TypeError', `url must be a string, got ${typeName(raw ?? null)}`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw systemError('ValueError', `invalid URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw systemError('ValueError', `unsupported URL scheme: ${url.protocol}`);
  const query = getKey(args, 'query');
  if (query !== undefined && query !== null) {
    if (!isMap(query)) throw systemError('TypeError', 'query must be a map');
    for (const [k, v] of Object.entries(query)) {
      for (const item of Array.isArray(v) ? v : [v]) {
        if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') url.searchParams.append(k, String(item));
        else throw systemError('TypeError', `query value of "${k}" must be a string, number, bool or a list of those`);
      }
    }
  }
  return url.toString();
}

function requestHeaders(raw: Value | undefined): HeaderBag {
  const bag = new HeaderBag();
  if (raw === undefined || raw === null) return bag;
  if (!isMap(raw)) throw systemError('TypeError', 'headers must be a map of strings');
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'string') bag.set(k, v);
    else if (typeof v === 'number' || typeof v === 'boolean') bag.set(k, String(v));
    else throw systemError('TypeError', `header "${k}" must be a string, got ${typeName(v)}`);
  }
  return bag;
}

function requestTimeout(raw: Value | undefined): number {
  if (raw === undefined || raw === null) return LIMITS.httpDefaultTimeoutSeconds;
  if (typeof raw !== 'number' || raw <= 0) throw systemError('ValueError', 'timeout must be a positive number of seconds');
  if (raw > LIMITS.httpMaxTimeoutSeconds) throw systemError('ValueError', `timeout must be at most ${LIMITS.httpMaxTimeoutSeconds} seconds`);
  return raw;
}

function encodeBody(body: Value | undefined, headers: HeaderBag, method: string): Uint8Array | string | undefined {
  if (body === undefined || body === null) return undefined;
  if (method === 'GET' || method === 'HEAD') throw systemError('ValueError', `${method} requests cannot have a body`);
  const ct = headers.get('Content-Type');
  if (ct === undefined) {
    if (isBytes(body)) {
      headers.set('Content-Type', 'application/octet-stream');
      return body;
    }
    headers.set('Content-Type', 'application/json; charset=utf-8');
    return toJsonText(body);
  }
  if (isBytes(body)) return body;
  const lower = ct.toLowerCase();
  if (lower.includes('json')) return toJsonText(body);
  if (lower.includes('application/x-www-form-urlencoded') && isMap(body)) {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(body)) form.append(k, typeof v === 'string' ? v : toJsonText(v));
    return form.toString();
  }
  if (typeof body === 'string') return body;
  throw systemError('TypeError', `cannot encode a ${typeName(body)} body as ${ct}`);
}

async function token(auth: Value, url: string, tokens: TokenProvider): Promise<string> {
  if (!isMap(auth)) throw systemError('TypeError', 'auth must be a map with a type');
  const type = getKey(auth, 'type');
  try {
    if (type === 'OIDC') {
      const audience = getKey(auth, 'audience');
      if (audience !== undefined && typeof audience !== 'string') throw systemError('TypeError', 'auth.audience must be a string');
      const u = new URL(url);
      return await tokens.oidc(audience ?? `${u.origin}${u.pathname}`);
    }
    if (type === 'OAuth2') {
      const raw = getKey(auth, 'scopes') ?? getKey(auth, 'scope');
      let scopes: string[] | undefined;
      if (typeof raw === 'string') scopes = raw.split(/[\s,]+/).filter(Boolean);
      else if (Array.isArray(raw)) scopes = raw.filter((s): s is string => typeof s === 'string');
      return await tokens.oauth2(scopes);
    }
  } catch (e) {
    if (e instanceof WorkflowError) throw e;
    throw systemError('AuthError', `error generating credentials: ${(e as Error).message}`);
  }
  throw systemError('ValueError', 'auth.type must be OIDC or OAuth2');
}

// ---------------------------------------------------------------- response

async function readLimited(res: Response, controller: AbortController): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > LIMITS.httpResponseBytes) {
    controller.abort(new Error('too large'));
    throw responseTooLarge();
  }
  if (!res.body) return new Uint8Array();
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > LIMITS.httpResponseBytes) {
      controller.abort(new Error('too large'));
      throw responseTooLarge();
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function responseTooLarge(): WorkflowError {
  return systemError('ResourceLimitError', `ResourceLimitError: HTTP response exceeds the ${LIMITS.httpResponseBytes} bytes limit`);
}

/** Go-style canonical header names (Content-Type), as Google's responses spell them. */
function canonicalHeader(name: string): string {
  return name
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())
    .join('-');
}

function responseHeaders(h: Headers): WfMap {
  const out = newMap();
  h.forEach((value, key) => {
    Object.defineProperty(out, canonicalHeader(key), { value, writable: true, enumerable: true, configurable: true });
  });
  return out;
}

function decodeBody(raw: Uint8Array, contentType: string | null): Value {
  const ct = (contentType ?? '').toLowerCase();
  const text = (): string => Buffer.from(raw).toString('utf8');
  if (ct.includes('json')) {
    if (raw.length === 0) return null;
    try {
      return fromJson(JSON.parse(text()));
    } catch {
      return text();
    }
  }
  if (ct.startsWith('text/') || ct.includes('xml') || ct.includes('x-www-form-urlencoded') || ct.includes('javascript')) return text();
  return raw.length === 0 ? null : raw;
}

function errorCode(e: unknown): string | undefined {
  for (let cur: unknown = e, i = 0; cur && i < 5; cur = (cur as { cause?: unknown }).cause, i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const errors = (cur as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length) {
      const inner = errorCode(errors[0]);
      if (inner) return inner;
    }
  }
  return undefined;
}

function logUrl(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}
