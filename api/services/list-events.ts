import type { Deps } from '../deps.js';
import type { EnvironmentEvent } from '../domain/environment.js';
import type { Principal } from '../http/auth.js';
import type { Page } from '../store/port.js';
import { withPageToken } from './paging.js';
import { getEnvironment } from './get-environment.js';

/** The environment's history, oldest first. */
export async function listEvents(
  deps: Pick<Deps, 'store' | 'auth'>,
  id: string,
  query: { pageSize: number; pageToken?: string },
  principal: Principal,
): Promise<Page<EnvironmentEvent>> {
  await getEnvironment(deps, id, principal);
  return withPageToken(() => deps.store.listEvents(id, query));
}
