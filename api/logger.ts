/**
 * Structured logs for Cloud Logging: one JSON object per line with `severity` and `message`
 * (the fields the logging agent parses). Written by hand rather than with pino because all we need
 * is a synchronous JSON line with Google's field names; the sink is injectable so tests read lines.
 * Callers must never pass secrets; `redact` is a last line of defence for known secret-looking keys.
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

const SECRET_KEY = /authorization|token|secret|password|cookie|webhook.?url|slack.?url/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[REDACTED]' : redact(v, depth + 1);
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
    options.fields ?? {},
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
    const entry = { severity, message, time: new Date().toISOString(), ...this.base, ...(fields ? (redact(fields) as object) : {}) };
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
    return new JsonLogger(this.min, this.sink, { ...this.base, ...fields });
  }
}
