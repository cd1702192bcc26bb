#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { stringify } from 'yaml';
import {
  ApiProblem, createClient, googleIdTokenProvider, type Environment, type EnvironmentSpecInput, type SaxenvClient,
} from '@saxml-environments/client';
import { CliError, EXIT, EXIT_CODES_HELP, exitCodeOf } from './exit-codes.js';
import { createProgress } from './progress.js';
import { describe, duration, errorText, eventLine, headline, operationError, outputs, table } from './render.js';
import { readDocument } from './spec-file.js';

/**
 * `saxenv`: the command line of the Saxml Environments API, on the TypeScript client. Commands
 * print for a person by default and the API's JSON with `--output json`; `--wait` follows the
 * operation live (see progress.ts); the exit code says how it ended (exit-codes.ts).
 */

interface GlobalOptions {
  apiUrl: string;
  token?: string;
  googleAudience?: string | true;
  output: 'text' | 'json';
}

interface Context {
  client: SaxenvClient;
  baseUrl: string;
  json: boolean;
  print(text: string): void;
  /** Aborted by Ctrl-C: a wait stops, the operation goes on. */
  interrupted: AbortSignal;
}

const interrupt = new AbortController();

function contextOf(command: Command): Context {
  const options = command.optsWithGlobals<GlobalOptions>();
  let baseUrl: string;
  try {
    baseUrl = new URL(options.apiUrl).href.replace(/\/+$/, '');
  } catch {
    throw new CliError(`--api-url ${options.apiUrl} is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  // In the cloud, an ID token for the service: asked for, or by default for Cloud Run URLs.
  const audience = options.googleAudience === true ? baseUrl
    : options.googleAudience ?? (!options.token && new URL(baseUrl).hostname.endsWith('.run.app') ? baseUrl : undefined);
  const client = createClient({
    baseUrl,
    token: options.token,
    tokenProvider: options.token || !audience ? undefined : googleIdTokenProvider(audience),
  });
  return { client, baseUrl, json: options.output === 'json', print: (text) => void process.stdout.write(`${text}\n`), interrupted: interrupt.signal };
}

/** Runs a command's body with its context; failures become a message on stderr and an exit code. */
function action<A extends unknown[]>(body: (ctx: Context, ...args: A) => Promise<number | void>) {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    let ctx: Context | undefined;
    try {
      ctx = contextOf(command);
      process.exitCode = (await body(ctx, ...(args.slice(0, -1) as A))) ?? EXIT.OK;
    } catch (error) {
      process.exitCode = report(error, ctx, command.optsWithGlobals<GlobalOptions>().apiUrl);
    }
  };
}

function report(error: unknown, ctx: Context | undefined, apiUrl: string): number {
  if (ctx?.json && error instanceof ApiProblem) process.stderr.write(`${JSON.stringify(error.problem)}\n`);
  else process.stderr.write(`${errorText(error, ctx?.baseUrl ?? apiUrl)}\n`);
  return exitCodeOf(error);
}

const printJson = (ctx: Context, value: unknown) => ctx.print(JSON.stringify(value, null, 2));

/**
 * Follows the environment until `done` holds, showing progress, then prints how it ended. A wait
 * stopped by Ctrl-C says how to pick it up again.
 */
async function follow(ctx: Context, id: string, done: (env: Environment) => boolean): Promise<number> {
  const mode = ctx.json ? 'silent' : process.stdout.isTTY ? 'live' : 'lines';
  const progress = createProgress(mode, process.stdout);
  let env: Environment;
  try {
    env = await ctx.client.waitFor(id, done, {
      signal: ctx.interrupted,
      onEnvironment: (e) => progress.environment(e),
      onEvent: (e) => progress.event(e),
    });
  } catch (error) {
    progress.stop();
    if (!ctx.interrupted.aborted) throw error;
    process.stderr.write(`stopped following ${id}; it goes on: saxenv events ${id} --follow\n`);
    return EXIT.INTERRUPTED;
  }
  progress.stop();
  if (ctx.json) {
    printJson(ctx, env);
  } else {
    const op = env.operation;
    const took = op?.endTime ? ` (${op.kind} took ${duration(Date.parse(op.endTime) - Date.parse(op.startTime))})` : '';
    ctx.print(`${env.name} is ${env.state}${took}`);
    if (env.state === 'ACTIVE') ctx.print(outputs(env));
  }
  return EXIT.OK;
}

/** What a running operation reaches when it succeeds. */
const succeeded = (env: Environment) => (env.operation?.target === 'delete' ? env.state === 'DELETED' : env.state === 'ACTIVE');

/** The answer to a command that started an operation, without --wait. */
function started(ctx: Context, env: Environment): number {
  if (ctx.json) printJson(ctx, env);
  else ctx.print(`${headline(env)}\nfollow it: saxenv events ${env.id} --follow`);
  return EXIT.OK;
}

const program = new Command('saxenv')
  .description('Create, follow, change and delete Saxml inference environments (the Saxml Environments API)')
  .version('0.1.0')
  .addOption(new Option('--api-url <url>', 'the API').env('SAXENV_API_URL').default('http://127.0.0.1:8080'))
  .addOption(new Option('--token <token>', 'bearer token: the local API_TOKEN, or an ID token').env('SAXENV_TOKEN'))
  .addOption(new Option('--google-audience [audience]', 'mint Google ID tokens for this audience (default: the API URL; automatic for *.run.app URLs)').env('SAXENV_GOOGLE_AUDIENCE'))
  .addOption(new Option('-o, --output <format>', 'text for people, json for scripts').choices(['text', 'json']).default('text'))
  .addHelpText('after', EXIT_CODES_HELP)
  .showHelpAfterError('(saxenv --help shows every command and option)')
  .exitOverride();

program
  .command('create')
  .description('create an environment from a spec file')
  .requiredOption('-f, --file <path>', 'the spec, YAML or JSON (- for standard input)')
  .option('--validate-only', 'show the normalised spec and the plan; record nothing')
  .option('--wait', 'follow the create until the environment is ACTIVE (or FAILED)')
  .option('--idempotency-key <key>', 'makes retrying this command safe')
  .action(action(async (ctx, opts: { file: string; validateOnly?: boolean; wait?: boolean; idempotencyKey?: string }) => {
    const spec = readDocument(opts.file) as EnvironmentSpecInput;
    if (opts.validateOnly) {
      const result = await ctx.client.validate(spec);
      if (ctx.json) return printJson(ctx, result);
      const perStage = new Map<string, number>();
      for (const step of result.plan.steps) perStage.set(step.stage, (perStage.get(step.stage) ?? 0) + 1);
      ctx.print(`valid: the create would run ${result.plan.steps.length} steps (${[...perStage].map(([stage, n]) => `${stage} ${n}`).join(', ')})\nnormalised spec:\n${stringify(result.spec).trimEnd()}`);
      return;
    }
    const env = await ctx.client.create(spec, { idempotencyKey: opts.idempotencyKey });
    if (!opts.wait) return started(ctx, env);
    if (!ctx.json) ctx.print(`created ${env.name} (${env.id})`);
    return follow(ctx, env.id, succeeded);
  }));

program
  .command('get')
  .description('show an environment: state, stages, outputs, what is possible now')
  .argument('<id>')
  .action(action(async (ctx, id: string) => {
    const env = await ctx.client.get(id);
    if (ctx.json) return printJson(ctx, env);
    ctx.print(describe(env));
  }));

program
  .command('list')
  .description('list environments, newest first')
  .option('--project <project>')
  .addOption(new Option('--state <state>').choices(['CREATING', 'ACTIVE', 'DELETING', 'DELETED', 'FAILED']))
  .option('--label <key:value...>', 'labels that must match (repeatable)')
  .option('--page-size <n>', '1–100', (v) => Number(v))
  .option('--page-token <token>')
  .action(action(async (ctx, opts: { project?: string; state?: Environment['state']; label?: string[]; pageSize?: number; pageToken?: string }) => {
    const page = await ctx.client.list({ project: opts.project, state: opts.state, label: opts.label, pageSize: opts.pageSize, pageToken: opts.pageToken });
    if (ctx.json) return printJson(ctx, page);
    if (!page.environments.length) return ctx.print('no environments');
    ctx.print(table([['ID', 'NAME', 'STATE', 'PROJECT', 'REGION', 'CREATED'], ...page.environments.map((e) => [e.id, e.name, e.state, e.project, e.region, e.createTime])], ''));
    if (page.nextPageToken) ctx.print(`more: saxenv list --page-token ${page.nextPageToken}`);
  }));

program
  .command('plan')
  .description("show the current operation's plan: every step with its state")
  .argument('<id>')
  .action(action(async (ctx, id: string) => {
    const plan = await ctx.client.plan(id);
    if (ctx.json) return printJson(ctx, plan);
    ctx.print(`${plan.kind} plan, ${plan.steps.length} steps`);
    ctx.print(table(plan.steps.map((s) => [s.state, s.id, s.title + (s.error ? ` — ${s.error.code}: ${s.error.message}` : '')])));
  }));

program
  .command('events')
  .description("show the environment's history; --follow streams new events as they happen")
  .argument('<id>')
  .option('--after <seq>', 'only events after this one', (v) => Number(v), 0)
  .option('--follow', 'keep streaming new events (Ctrl-C to stop)')
  .option('--until-operation-end', 'with --follow: stop when no operation is running')
  .action(action(async (ctx, id: string, opts: { after: number; follow?: boolean; untilOperationEnd?: boolean }) => {
    const show = (event: Parameters<typeof eventLine>[0]) => ctx.print(ctx.json ? JSON.stringify(event) : eventLine(event));
    if (!opts.follow) {
      for (let after = opts.after, page; (page = await ctx.client.events(id, { after, pageSize: 100 })).events.length;) {
        page.events.forEach(show);
        after = page.events.at(-1)!.seq;
      }
      return;
    }
    try {
      for await (const item of ctx.client.watch(id, { after: opts.after, untilOperationEnd: opts.untilOperationEnd, signal: ctx.interrupted })) {
        if (item.type === 'event') show(item.event);
        if (item.type === 'end' && !ctx.json) ctx.print(`${item.environment.name} is ${item.environment.state}; no operation is running`);
      }
    } catch (error) {
      if (ctx.interrupted.aborted) return;
      throw error;
    }
  }));

program
  .command('patch')
  .description('change an environment with a JSON merge patch of its spec (PATCH /environments/{id})')
  .argument('<id>')
  .requiredOption('-f, --file <path>', 'the merge patch, YAML or JSON (- for standard input)')
  .option('--validate-only', 'show the new spec and the plan; change nothing')
  .option('--if-match <etag>', 'only if the environment is still at this ETag')
  .option('--wait', 'follow the update until it ends')
  .action(action(async (ctx, id: string, opts: { file: string; validateOnly?: boolean; ifMatch?: string; wait?: boolean }) => {
    const patch = readDocument(opts.file);
    let result: Awaited<ReturnType<SaxenvClient['patch']>>;
    try {
      result = await ctx.client.patch(id, patch as Record<string, unknown>, { ifMatch: opts.ifMatch, validateOnly: opts.validateOnly });
    } catch (error) {
      if (error instanceof ApiProblem && (error.code === 'METHOD_NOT_ALLOWED' || error.code === 'ROUTE_NOT_FOUND')) {
        throw new CliError(`the service at ${ctx.baseUrl} cannot change environments yet (PATCH /environments/{id} answered ${error.status} ${error.code}): upgrade it, or delete the environment and create it again`, EXIT.REFUSED);
      }
      throw error;
    }
    if (result.kind === 'UpdatePreview') {
      if (ctx.json) return printJson(ctx, result);
      const replaced = Object.entries(result.replacements ?? {}).map(([pool, r]) => `TPU pool ${pool} is replaced, ${r.order === 'createFirst' ? 'the new one created first' : 'the old one deleted first'}: ${r.reason}`);
      return ctx.print([
        result.changed.length ? `changes: ${result.changed.join(', ')}` : 'nothing changes',
        `the update would run ${result.plan.steps.length} steps:`, ...result.plan.steps.map((s) => `  ${s.title}`), ...replaced,
      ].join('\n'));
    }
    if (result.operation?.state !== 'RUNNING') {
      // Nothing needed an operation: nothing changed, or only what needs no Google call.
      if (ctx.json) return printJson(ctx, result);
      return ctx.print(`${result.name} is ${result.state}; no operation was needed`);
    }
    if (opts.wait) return follow(ctx, id, succeeded);
    return started(ctx, result);
  }));

program
  .command('retry')
  .description("resume a FAILED environment's last operation from the steps not done")
  .argument('<id>')
  .option('--if-match <etag>')
  .option('--wait', 'follow the retry until it ends')
  .action(action(async (ctx, id: string, opts: { ifMatch?: string; wait?: boolean }) => {
    const env = await ctx.client.retry(id, { ifMatch: opts.ifMatch });
    return opts.wait ? follow(ctx, id, succeeded) : started(ctx, env);
  }));

program
  .command('cancel')
  .description('cancel the running operation (the environment becomes FAILED: retry or delete it)')
  .argument('<id>')
  .option('--if-match <etag>')
  .action(action(async (ctx, id: string, opts: { ifMatch?: string }) => {
    const env = await ctx.client.cancel(id, { ifMatch: opts.ifMatch });
    if (ctx.json) return printJson(ctx, env);
    ctx.print(`${headline(env)}\n${operationError(env)}`);
  }));

program
  .command('delete')
  .description('tear the environment down, in reverse')
  .argument('<id>')
  .option('--force', 'cancel a running operation first')
  .option('--delete-bootstrap', "also remove the project's bootstrap when no other environment uses it")
  .option('--if-match <etag>')
  .option('--wait', 'follow the delete until the environment is DELETED')
  .action(action(async (ctx, id: string, opts: { force?: boolean; deleteBootstrap?: boolean; ifMatch?: string; wait?: boolean }) => {
    const env = await ctx.client.delete(id, { force: opts.force, deleteBootstrap: opts.deleteBootstrap, ifMatch: opts.ifMatch });
    return opts.wait ? follow(ctx, id, succeeded) : started(ctx, env);
  }));

process.once('SIGINT', () => interrupt.abort());
try {
  await program.parseAsync();
} catch (error) {
  // Commander's own exits: help and version are success; anything else is a usage error.
  if (!(error instanceof CommanderError)) throw error;
  process.exitCode = error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
}
