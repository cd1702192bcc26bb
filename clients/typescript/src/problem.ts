import type { Problem, ProblemCode } from './types.js';

/**
 * A refusal from the API, typed: `code` is the document's enum, so a `switch` over it is checked by
 * the compiler, and `problem` is the whole RFC 9457 body (`errors[]` for validation, `type` a page
 * that says what to do). Answers that are not problem+json (a proxy's 502 page) still become one,
 * with the status and what the body said.
 */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail || problem.title);
    this.name = 'ApiProblem';
  }

  get code(): ProblemCode {
    return this.problem.code;
  }

  /** The answer as a problem: its body when the server sent one, else one made from the status. */
  static async from(response: Response, body?: unknown): Promise<ApiProblem> {
    const parsed = body ?? (await response.text().then((text) => parseJson(text) ?? text, () => undefined));
    if (isProblem(parsed)) return new ApiProblem(response.status, parsed);
    const detail = typeof parsed === 'string' && parsed.trim() ? parsed.trim().slice(0, 300) : `HTTP ${response.status} ${response.statusText}`;
    return new ApiProblem(response.status, {
      type: 'about:blank', title: response.statusText || `HTTP ${response.status}`, status: response.status, detail,
      instance: new URL(response.url || 'http://unknown/').pathname, code: codeForStatus(response.status), requestId: response.headers.get('x-request-id') ?? 'unknown',
    });
  }
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const isProblem = (value: unknown): value is Problem =>
  typeof value === 'object' && value !== null && typeof (value as Problem).code === 'string' && typeof (value as Problem).status === 'number';

/** For answers that are not ours (a gateway, a proxy): the code that says the same. */
function codeForStatus(status: number): ProblemCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'PERMISSION_DENIED';
  if (status === 404) return 'ROUTE_NOT_FOUND';
  if (status === 405) return 'METHOD_NOT_ALLOWED';
  if (status === 502 || status === 503 || status === 504) return 'UNAVAILABLE';
  return status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT';
}
