import { ApiProblem, WaitEndedError, type Environment, type EnvironmentEvent } from '@saxml-environments/client';
import { CliError, isConnectionFailure } from './exit-codes.js';

/** How `saxenv` shows things to a person (text output); `--output json` prints the API's JSON instead. */

/** `7m02s`, `45s`, `1h03m`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const since = (start: string | undefined, end: string | undefined, now: number) =>
  start ? duration((end ? Date.parse(end) : now) - Date.parse(start)) : '';

/** Rows padded into columns. */
export function table(rows: string[][], indent = '  '): string {
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

/** One line: name, id, state and the current operation. */
export function headline(env: Environment, now = Date.now()): string {
  const op = env.operation;
  const operation = op ? `${op.kind}${op.kind === 'retry' ? ` of ${op.target}` : ''} ${op.state}, ${since(op.startTime, op.endTime, now)}` : 'no operation';
  return `${env.name}  ${env.id}  ${env.state}  (${operation})`;
}

/** The outputs, and how to start using the environment (the Saxml cell's proxy, models and example requests). */
export function outputs(env: Environment): string {
  const { saxml, ...named } = env.outputs;
  const entries = Object.entries(named).filter((e): e is [string, string] => typeof e[1] === 'string').sort(([a], [b]) => a.localeCompare(b));
  if (!entries.length && !saxml) return 'no outputs yet';
  const lines = ['outputs:', table(entries.map(([k, v]) => [k, v]))];
  const cluster = env.outputs.clusterName;
  if (cluster && env.state === 'ACTIVE') {
    lines.push('use it:', `  ${saxml?.getCredentials ?? `gcloud container clusters get-credentials ${cluster} --region ${env.outputs.clusterLocation ?? env.region} --project ${env.project}`}`);
  }
  if (saxml) {
    lines.push(`saxml: cell ${saxml.cell} in namespace ${saxml.namespace}, ${saxml.state}`, `  ${saxml.reach}`);
    if (saxml.models.length) lines.push(table(saxml.models.map((m) => [m.modelId, m.state, `${m.replicas.ready}/${m.replicas.requested} replicas`, m.tpuPool])));
    for (const m of saxml.models) lines.push(`  try ${m.id}: ${m.exampleRequest}`);
  }
  return lines.join('\n');
}

/** What went wrong with the environment's last operation, and what to do about it. */
export function operationError(env: Environment): string {
  const error = env.operation?.error ?? env.stages.find((s) => s.error)?.error;
  if (!error) return `${env.name} is ${env.state}`;
  const where = [error.stage, error.step].filter(Boolean).join(' / ');
  const lines = [`${env.name} is ${env.state}: ${error.code}${where ? ` at ${where}` : ''}`, `  ${error.message}`];
  if (error.hint) lines.push(`hint: ${error.hint}`);
  return lines.join('\n');
}

/** The full picture for `saxenv get`. */
export function describe(env: Environment, now = Date.now()): string {
  const stages = env.stages.map((s) => [s.name, s.state, `${s.steps.done}/${s.steps.total} steps`, since(s.startTime, s.endTime, now)]);
  const parts = [headline(env, now), `project ${env.project}, region ${env.region}, created ${env.createTime} by ${env.createdBy}`, 'stages:', table(stages), outputs(env)];
  if (env.state === 'FAILED') parts.push(operationError(env));
  const can = Object.entries(env.actions).filter(([, allowed]) => allowed).map(([action]) => action.replace(/^can/, '').toLowerCase());
  parts.push(`possible now: ${can.length ? can.join(', ') : 'nothing'}`);
  return parts.join('\n');
}

/** One event as a log line (what `events` and the non-terminal progress print). */
export const eventLine = (event: EnvironmentEvent) => {
  const error = event.type.endsWith('.failed') && typeof event.details?.code === 'string' ? ` [${event.details.code}]` : '';
  return `${event.time}  ${event.message}${error}`;
};

/** An error as a person should read it: what happened, each invalid field, where to read more. */
export function errorText(error: unknown, baseUrl: string): string {
  if (error instanceof WaitEndedError) return operationError(error.environment);
  if (error instanceof CliError) return `error: ${error.message}`;
  if (error instanceof ApiProblem) {
    const { problem } = error;
    const lines = [`error: ${problem.detail || problem.title} (${problem.code}, HTTP ${error.status})`];
    for (const field of problem.errors ?? []) if (!problem.detail.includes(field.message)) lines.push(`  ${field.path}: ${field.message}`);
    if (problem.type && problem.type !== 'about:blank') lines.push(`see ${new URL(problem.type, `${baseUrl}/`).href}`);
    return lines.join('\n');
  }
  if (isConnectionFailure(error)) {
    const cause = (error.cause as { code?: string } | undefined)?.code;
    return `error: cannot reach the API at ${baseUrl}${cause ? ` (${cause})` : ''}: is it running? Set --api-url or SAXENV_API_URL`;
  }
  return `error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n(this is a fault of saxenv; please report it)`;
}
