import type { EnvironmentEvent, ErrorInfo } from '../domain/environment.js';
import type { EnvironmentView } from '../services/common/view.js';
import { clock, elapsed, money, timestamp } from './format.js';
import { Badge, Copyable } from './layout.js';
import { timelineOf, type TimelineStep } from './timeline.js';
import { TimelineChart } from './timeline-view.js';

/**
 * The environment page: what it is, what runs, what ran when, how to use it, what can be done
 * now, and what happened (the event feed the script extends live). The summary is also served
 * alone (the `summary` fragment) for the script to refresh as events arrive.
 */

export interface EnvironmentPageData {
  env: EnvironmentView;
  steps: TimelineStep[];
  /** Newest first. */
  events: EnvironmentEvent[];
  now: number;
}

export const EnvironmentMain = (props: EnvironmentPageData) => (
  <main id="main" class="environment">
    <Summary {...props} />
    <EventFeed events={props.events} />
  </main>
);

export function Summary({ env, steps, now }: EnvironmentPageData) {
  const op = env.operation;
  const running = op?.state === 'RUNNING';
  const timeline = timelineOf(steps, now);
  return (
    <section id="summary" data-env-id={env.id} data-running={String(running)}>
      <h1>{env.name} <Badge state={env.state} /></h1>
      <p class="meta">
        <code>{env.id}</code> · project <b>{env.project}</b> · region <b>{env.region}</b> · created {timestamp(env.createTime)} by {env.createdBy}
        {Object.entries(env.labels).map(([key, value]) => <span class="label">{`${key}:${value}`}</span>)}
      </p>
      <p class="meta">
        {`about ${money(env.cost.estimate.hourly, env.cost.estimate.currency)} an hour (${money(env.cost.estimate.days30, env.cost.estimate.currency)} per 30 days), ${money(env.cost.soFar.total, env.cost.soFar.currency)} so far`}
        {env.expireTime && env.state !== 'DELETED' && ` · expires ${timestamp(env.expireTime)}`}
      </p>
      {op && (
        <p class="operation">
          {op.kind === 'retry' ? `retry of ${op.target}` : op.kind} <Badge state={op.state} />{' '}
          {running ? `running for ${elapsed(op.startTime, undefined, now)}` : `${op.state.toLowerCase()} after ${elapsed(op.startTime, op.endTime, now)}`}
        </p>
      )}
      {env.state === 'FAILED' && <Failure error={op?.error ?? env.stages.find((stage) => stage.error)?.error} />}
      <Actions env={env} />

      <h2>Stages</h2>
      <table class="stages">
        <tbody>
          {env.stages.map((stage) => (
            <tr data-stage={stage.name} data-state={stage.state}>
              <th>{stage.name}</th>
              <td><Badge state={stage.state} /></td>
              <td><progress max={Math.max(stage.steps.total, 1)} value={stage.steps.done}></progress></td>
              <td>{`${stage.steps.done}/${stage.steps.total} steps`}{stage.steps.failed ? `, ${stage.steps.failed} failed` : ''}</td>
              <td>{elapsed(stage.startTime, stage.endTime, now)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Timeline</h2>
      {timeline ? <TimelineChart timeline={timeline} /> : <p class="empty">No step has started yet.</p>}

      <h2>Outputs</h2>
      <Outputs env={env} />
    </section>
  );
}

function Failure(props: { error: ErrorInfo | undefined }) {
  const { error } = props;
  if (!error) return <p class="problem">The last operation failed.</p>;
  return (
    <div class="problem failure">
      <p><b>{error.code}</b>{error.stage && ` in ${error.stage}`}{error.step && ` (step ${error.step})`}: {error.message}</p>
      {error.hint && <p><b>What to do:</b> {error.hint}</p>}
    </div>
  );
}

/**
 * The legal actions (the environment's `actions`), each behind the confirmation dialog; the
 * buttons carry the request, which the script sends with the token. Retry and delete are legal
 * only when nothing runs, so they carry the version the page shows (If-Match: a change made
 * meanwhile is refused, 412, rather than acted on blindly); a cancel is about the running
 * operation, whose every report changes the version, so it carries none.
 */
function Actions({ env }: { env: EnvironmentView }) {
  const op = env.operation;
  const path = `/environments/${env.id}`;
  const actions = [
    env.actions.canRetry && op && {
      action: 'retry', label: 'Retry', method: 'POST', path: `${path}/retry`, ifMatch: env.etag,
      title: `Retry ${env.name}?`, text: `The ${op.target} resumes from the steps that are not done.`,
    },
    env.actions.canCancel && op && {
      action: 'cancel', label: 'Cancel', method: 'POST', path: `${path}/cancel`, ifMatch: undefined,
      title: `Cancel the ${op.kind} of ${env.name}?`, text: 'The running execution stops; the environment becomes FAILED, and you can retry or delete it.',
    },
    env.actions.canDelete && {
      action: 'delete', label: 'Delete', method: 'DELETE', path, ifMatch: env.etag,
      title: `Delete ${env.name}?`, text: `Everything this environment created in ${env.project} is deleted.`,
    },
  ].filter((action) => !!action);
  if (!actions.length) return <p class="actions empty">No action is possible now.</p>;
  return (
    <p class="actions">
      {actions.map((a) => (
        <button type="button" class={a.action === 'retry' ? 'action' : 'action danger'} data-action={a.action} data-method={a.method} data-path={a.path}
          data-title={a.title} data-text={a.text} data-if-match={a.ifMatch}>{a.label}…</button>
      ))}
    </p>
  );
}

/** Commands to start using an active environment, from its outputs. */
function usage(env: EnvironmentView): { label: string; command: string }[] {
  const { clusterName, clusterLocation, modelBucket, saxml } = env.outputs;
  if (env.state !== 'ACTIVE') return [];
  const getCredentials = saxml?.getCredentials ?? (clusterName && `gcloud container clusters get-credentials ${clusterName} --region ${clusterLocation ?? env.region} --project ${env.project}`);
  return [
    getCredentials && { label: 'Connect kubectl', command: getCredentials },
    clusterName && { label: 'See its nodes', command: 'kubectl get nodes' },
    modelBucket && { label: 'Model repository', command: `gcloud storage ls ${modelBucket}` },
  ].filter((entry) => !!entry);
}

function Outputs({ env }: { env: EnvironmentView }) {
  const { saxml, ...named } = env.outputs;
  const entries = Object.entries(named).filter((entry): entry is [string, string] => typeof entry[1] === 'string').sort(([a], [b]) => a.localeCompare(b));
  if (!entries.length && !saxml) return <p class="empty">No outputs yet: they appear as stages succeed.</p>;
  const commands = usage(env);
  return (
    <>
      {commands.length > 0 && (
        <ul class="usage">
          {commands.map((c) => <li><span>{c.label}</span> <Copyable text={c.command} label={c.label} /></li>)}
        </ul>
      )}
      {saxml && <SaxmlCell saxml={saxml} />}
      <table class="outputs">
        <tbody>
          {entries.map(([key, value]) => <tr><th>{key}</th><td><Copyable text={value} label={key} /></td></tr>)}
        </tbody>
      </table>
    </>
  );
}

/** The Saxml cell: how to reach it, and each model with its replicas and a request to try. */
function SaxmlCell({ saxml }: { saxml: NonNullable<EnvironmentView['outputs']['saxml']> }) {
  return (
    <div class="saxml">
      <h3>Saxml cell <code>{saxml.cell}</code> in namespace <code>{saxml.namespace}</code> <Badge state={saxml.state} /></h3>
      <p>{saxml.proxy?.url ? <>Proxy <Copyable text={saxml.proxy.url} label="the proxy URL" /> · </> : ''}{saxml.reach}</p>
      {saxml.models.length > 0 && (
        <table class="models">
          <tbody>
            {saxml.models.map((model) => (
              <tr data-model={model.id}>
                <th>{model.modelId}</th>
                <td><Badge state={model.state} /></td>
                <td>{`${model.replicas.ready}/${model.replicas.requested} replicas on ${model.tpuPool}`}</td>
                <td><Copyable text={model.exampleRequest} label={`a request to ${model.id}`} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** The code of a failure an event reports, when it reports one. */
function errorCode(event: EnvironmentEvent): string {
  const details = event.details as { code?: unknown; error?: { code?: unknown } } | undefined;
  const code = details?.error?.code ?? details?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * One event of the feed. Rendered empty as the feed's <template>, which the script clones for
 * events that arrive live, so both kinds of row have one markup.
 */
export const EventRow = ({ event }: { event?: EnvironmentEvent }) => (
  <li class="event" data-seq={event?.seq} data-type={event?.type}>
    <time datetime={event?.time}>{event ? clock(event.time) : ''}</time>
    <span class="type">{event?.type}</span>
    <span class="message">{event?.message}</span>
    <span class="code">{event ? errorCode(event) : ''}</span>
  </li>
);

function EventFeed({ events }: { events: EnvironmentEvent[] }) {
  return (
    <section id="events">
      <h2>Events <span id="live" class="live" hidden>live</span></h2>
      <label class="toggle"><input type="checkbox" id="hide-steps" /> Hide step events</label>
      <ol id="feed" data-last-seq={events[0]?.seq ?? 0}>
        {events.map((event) => <EventRow event={event} />)}
      </ol>
      <template id="event-template"><EventRow /></template>
    </section>
  );
}
