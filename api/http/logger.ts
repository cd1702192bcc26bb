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
}

const SECRET_KEY = /authorization|token|secret|password|cookie|webhook.?url|slack.?url/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[REDACTED]' : redact(v, depth + 1);
  return out;
}

export function createLogger(options: {
  level?: 'debug' | 'info' | 'warning' | 'error';
  sink?: (line: string) => void;
  fields?: Record<string, unknown>;
} = {}): Logger {
  const min = ORDER[(options.level ?? 'info').toUpperCase() as Severity];
  const sink = options.sink ?? ((line: string) => process.stdout.write(`${line}\n`));
  const base = options.fields ?? {};
  const write = (severity: Severity, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[severity] < min) return;
    const entry = { severity, message, time: new Date().toISOString(), ...base, ...(fields ? (redact(fields) as object) : {}) };
    sink(JSON.stringify(entry));
  };
  return {
    debug: (m, f) => write('DEBUG', m, f),
    info: (m, f) => write('INFO', m, f),
    warn: (m, f) => write('WARNING', m, f),
    error: (m, f) => write('ERROR', m, f),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}
