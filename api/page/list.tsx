import type { Child } from 'hono/jsx';
import { ENVIRONMENT_STATES, type EnvironmentState } from '../domain/environment.js';
import type { EnvironmentView } from '../services/common/view.js';
import { elapsed, timestamp } from './format.js';
import { Badge } from './layout.js';

/** The list page: environments with their state, filtered by state, project and labels. */

export interface ListFilters {
  state?: EnvironmentState;
  project?: string;
  labels: string[];
}

/** `/?state=…&project=…&label=…` with one filter changed (undefined removes it). */
export function listHref(filters: ListFilters, change: Partial<ListFilters> & { pageToken?: string } = {}): string {
  const next = { ...filters, ...change };
  const query = new URLSearchParams();
  if (next.state) query.set('state', next.state);
  if (next.project) query.set('project', next.project);
  for (const label of next.labels) query.append('label', label);
  if (change.pageToken) query.set('pageToken', change.pageToken);
  const text = query.toString();
  return text ? `/?${text}` : '/';
}

export function ListMain(props: { filters: ListFilters; children: Child }) {
  const { filters } = props;
  return (
    <main id="main">
      <h1>Environments</h1>
      <nav class="filters" aria-label="Filter by state">
        <a href={listHref(filters, { state: undefined })} class={filters.state ? 'chip' : 'chip selected'}>All</a>
        {ENVIRONMENT_STATES.map((state) => (
          <a href={listHref(filters, { state })} class={filters.state === state ? 'chip selected' : 'chip'}><Badge state={state} /></a>
        ))}
      </nav>
      <form class="filters" method="get" action="/">
        {filters.state && <input type="hidden" name="state" value={filters.state} />}
        <label>Project <input name="project" value={filters.project ?? ''} placeholder="my-project-1" /></label>
        <label>Label <input name="label" value={filters.labels[0] ?? ''} placeholder="team:serving" /></label>
        <button type="submit">Filter</button>
      </form>
      {props.children}
    </main>
  );
}

const transitional = (state: EnvironmentState) => state === 'CREATING' || state === 'DELETING';

/**
 * The table (also served alone as the `list` fragment the script refreshes: every few seconds
 * while an environment on it is changing, rarely otherwise).
 */
export function ListSection(props: { environments: EnvironmentView[]; filters: ListFilters; nextPageToken?: string; problem?: string; now: number }) {
  const { environments, now } = props;
  return (
    <section id="list" data-busy={String(environments.some((env) => transitional(env.state)))}>
      {props.problem ? <p class="problem">{props.problem}</p>
        : !environments.length ? <p class="empty">No environments{props.filters.state || props.filters.project || props.filters.labels.length ? ' match these filters' : ' yet'}. Create one with <code>POST /environments</code> or <code>saxenv create</code>.</p>
        : (
          <table class="environments">
            <thead>
              <tr><th>Name</th><th>State</th><th>Operation</th><th>Stages</th><th>Project</th><th>Region</th><th>Labels</th><th>Created</th></tr>
            </thead>
            <tbody>
              {environments.map((env) => (
                <tr data-id={env.id} data-state={env.state}>
                  <td><a href={`/ui/environments/${env.id}`}>{env.name}</a><div class="id">{env.id}</div></td>
                  <td><Badge state={env.state} /></td>
                  <td>{env.operation ? `${env.operation.kind} ${env.operation.state.toLowerCase()}, ${elapsed(env.operation.startTime, env.operation.endTime, now)}` : ''}</td>
                  <td class="stages">
                    {env.stages.map((stage) => (
                      <span class={`dot state-${stage.state.toLowerCase()}`} title={`${stage.name}: ${stage.state}, ${stage.steps.done}/${stage.steps.total} steps`}>{stage.name}</span>
                    ))}
                  </td>
                  <td>{env.project}</td>
                  <td>{env.region}</td>
                  <td>{Object.entries(env.labels).map(([key, value]) => <a class="label" href={listHref(props.filters, { labels: [`${key}:${value}`] })}>{`${key}:${value}`}</a>)}</td>
                  <td>{timestamp(env.createTime)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      {props.nextPageToken && <p><a href={listHref(props.filters, { pageToken: props.nextPageToken })}>Next page</a></p>}
    </section>
  );
}
