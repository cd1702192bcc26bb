/**
 * Structured logs for Cloud Logging: one JSON object per line with `severity` and `message`
 * (the fields the logging agent parses). Written by hand rather than with pino because all we need
 * is a synchronous JSON line with Google's field names; the sink is injectable so tests read lines.
 * Callers must never pass secrets; `redact` is a last line of defence: secret-looking field names,
 * and secret-looking values in any field or message, at any depth.
 */

export type Severity = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
const ORDER: Record<Severity, number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose every line carries these fields too. */
  child(fields: Record<string, unknown>): Logger;
  log(severity: Severity, message: string, fields?: Record<string, unknown>): void;
  /** Whether lines of this severity are written (lets hot paths skip building their fields). */
  enabled(severity: Severity): boolean;
}

const SECRET_KEY = /authorization|token|secret|password|cookie|private.?key|webhook.?url|slack.?url/i;

/**
 * Secrets recognised by their value, wherever they appear (a field of any name, an error text, the
 * message itself): bearer credentials, JWTs (Google ID tokens), Google OAuth access tokens,
 * Standard Webhooks signing secrets (`whsec_…`), Slack incoming-webhook URLs (the URL is the
 * credential) and PEM private keys.
 */
const SECRET_VALUE = new RegExp([
  String.raw`\bBearer\s+[^\s"',;]+`,
  String.raw`\beyJ[\w-]{6,}\.[\w-]{6,}\.[\w-]*`,
  String.raw`\bya29\.[\w.-]+`,
  String.raw`\bwhsec_[A-Za-z0-9+/=_-]+`,
  String.raw`https://hooks\.slack(?:-gov)?\.com/[^\s"'<>]+`,
  String.raw`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)`,
].join('|'), 'gi');

/** Deeper than this a value is dropped rather than walked (cycles and pathological nesting end here too). */
const MAX_DEPTH = 32;

function redactText(text: string): string {
  // The cheap test first: most log strings hold none of these.
  SECRET_VALUE.lastIndex = 0;
  if (!SECRET_VALUE.test(text)) return text;
  return text.replace(SECRET_VALUE, (match) => (/^bearer\s/i.test(match) ? 'Bearer [REDACTED]' : '[REDACTED]'));
}

/** Fields with a secret-looking name, and secret-looking values at any depth, become `[REDACTED]`. */
export function redact(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[TOO DEEP]';
  if (seen.has(value)) return '[CIRCULAR]';
  seen.add(value);
  if (value instanceof Error) return redactText(String(value));
  const out: unknown = Array.isArray(value)
    ? value.map((v) => redact(v, depth + 1, seen))
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[REDACTED]' : redact(v, depth + 1, seen)]));
  seen.delete(value);
  return out;
}

interface LoggerOptions {
  level?: 'debug' | 'info' | 'warning' | 'error';
  sink?: (line: string) => void;
  fields?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return new JsonLogger(
    ORDER[(options.level ?? 'info').toUpperCase() as Severity],
    options.sink ?? ((line: string) => process.stdout.write(`${line}\n`)),
    redact(options.fields ?? {}) as Record<string, unknown>,
  );
}

/** A class, not closures: a child logger per request must cost next to nothing. */
class JsonLogger implements Logger {
  constructor(
    private readonly min: number,
    private readonly sink: (line: string) => void,
    private readonly base: Record<string, unknown>,
  ) {}

  enabled(severity: Severity): boolean {
    return ORDER[severity] >= this.min;
  }

  log(severity: Severity, message: string, fields?: Record<string, unknown>): void {
    if (ORDER[severity] < this.min) return;
    const entry = { severity, message: redactText(message), time: new Date().toISOString(), ...this.base, ...(fields ? (redact(fields) as object) : {}) };
    this.sink(JSON.stringify(entry));
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.log('DEBUG', message, fields);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.log('INFO', message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.log('WARNING', message, fields);
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.log('ERROR', message, fields);
  }

  child(fields: Record<string, unknown>): Logger {
    return new JsonLogger(this.min, this.sink, { ...this.base, ...(redact(fields) as Record<string, unknown>) });
  }
}
