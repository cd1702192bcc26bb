import type { Deps } from '../../deps.js';
import type { EnvironmentRecord } from '../../domain/environment.js';
import { toView } from './view.js';

/**
 * What the read path remembers between requests, per process. Polling clients are most of the
 * traffic and mostly see an unchanged environment: its view is rendered to JSON once per version
 * and minute (the version changes on every write, so `id:version` can never name stale text,
 * whatever the store; the cost so far is computed for the minute of the read), and the engine is
 * asked about a running operation at most once per quiet period. Both maps are bounded: the
 * oldest entries go first.
 */
export class ReadCache {
  private readonly views = new Map<string, Uint8Array>();
  private readonly engineChecks = new Map<string, number>();

  constructor(private readonly capacity = 1000) {}

  /**
   * The view's JSON as UTF-8 bytes: a response of bytes needs no length scan and no encoding per
   * request (the view is several kilobytes).
   */
  viewJson(record: EnvironmentRecord, deps: Pick<Deps, 'prices' | 'now'>): Uint8Array {
    const at = deps.now();
    const key = `${record.id}:${record.version}:${Math.floor(at.getTime() / 60_000)}`;
    let json = this.views.get(key);
    if (json === undefined) {
      json = Buffer.from(JSON.stringify(toView(record, { prices: deps.prices, now: () => at })));
      remember(this.views, key, json, this.capacity);
    }
    return json;
  }

  /** When the engine was last asked about this operation (ms since the epoch), if ever. */
  lastEngineCheck(operationId: string): number | undefined {
    return this.engineChecks.get(operationId);
  }

  engineChecked(operationId: string, at: number): void {
    remember(this.engineChecks, operationId, at, this.capacity);
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V, capacity: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > capacity) map.delete(map.keys().next().value!);
}
