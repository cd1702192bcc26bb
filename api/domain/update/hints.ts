import type { EnvironmentRecord, ErrorInfo } from '../environment.js';
import { BASE_STEPS } from '../plan/base/ids.js';
import { SAXML_STEPS } from '../plan/saxml.js';
import type { NormalisedSpec } from '../spec.js';

/**
 * What a failure's hint says to send: the exact PATCH that fixes it, when the fix is a change of
 * the spec — a stocked-out TPU pool moved to a zone Google suggests, a model whose publish failed
 * given another checkpoint. A merge patch replaces arrays whole, so the body carries the whole
 * array with the one change in it.
 */
export function withPatchHint(record: EnvironmentRecord, error: ErrorInfo): ErrorInfo {
  const spec = record.spec as NormalisedSpec;
  const send = (body: unknown, what: string) =>
    `${what}${what ? ': ' : ''}PATCH /environments/${record.id} with Content-Type application/merge-patch+json and the body ${JSON.stringify(body)}`;
  const pool = spec.cluster.tpuNodePools.find((p) => error.step === BASE_STEPS.tpuPool(p.name));
  if (error.code === 'GCE_STOCKOUT' && pool) {
    // Google's message suggests zones; only one in the environment's region can take the pool.
    const suggested = [...`${error.hint ?? ''} ${error.message}`.matchAll(/\b[a-z]+-[a-z]+\d+-[a-z]\b/g)].map((m) => m[0]);
    const zone = suggested.find((z) => z.startsWith(`${spec.region}-`) && !pool.zones.includes(z));
    const changed = (change: object) => ({
      cluster: { tpuNodePools: spec.cluster.tpuNodePools.map(({ nodePoolName: _n, ...p }) => (p.name === pool.name ? { ...p, ...change } : p)) },
    });
    if (zone) return { ...error, hint: `${error.hint ?? 'choose another zone'}; to move TPU pool ${pool.name} to ${zone}, send ${send(changed({ zones: [zone] }), '')}` };
    // No other zone of the region offers it (the region cannot change): capacity reserved there can.
    const reservation = { consumeReservationType: 'SPECIFIC_RESERVATION', key: 'compute.googleapis.com/reservation-name', values: ['<your reservation in ' + pool.zones[0] + '>'] };
    return { ...error, hint: `${error.hint ?? 'retry later'}; to use a reservation you hold for TPU pool ${pool.name}, send ${send(changed({ reservation }), '')}` };
  }
  const served = spec.cluster.tpuNodePools.find((p) => error.step === SAXML_STEPS.modelServer(p.name));
  if (error.code === 'PUBLISH_FAILED' && served) {
    const models = spec.saxml.models.map((m) => (m.tpuPool === served.name ? { ...m, checkpoint: '<the right gs:// checkpoint>' } : m));
    return { ...error, hint: send({ saxml: { models } }, `${error.hint ?? 'correct the checkpoint'}; to correct it in place`) };
  }
  return error;
}
