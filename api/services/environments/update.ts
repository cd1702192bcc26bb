import type { Deps } from '../../deps.js';
import { estimateCost } from '../../domain/cost/estimate.js';
import { resolveExpiry } from '../../domain/expiry.js';
import type { CostEstimate } from '../../domain/cost/schemas.js';
import type { EnvironmentRecord, NewEvent, UpdateBase } from '../../domain/environment.js';
import { DomainError, operationInProgress, validationFailed } from '../../domain/errors.js';
import { beginOperation } from '../../domain/operations.js';
import { buildPlan } from '../../domain/plan/index.js';
import type { Plan } from '../../domain/plan/types.js';
import { withStages } from '../../domain/progress.js';
import { preflightError, preflightEvent } from '../../domain/quota/outcome.js';
import type { PreflightResult } from '../../domain/quota/schemas.js';
import type { NormalisedSpec } from '../../domain/spec.js';
import { STAGES } from '../../domain/plan/stages.js';
import { nextUpdateBase } from '../../domain/update/base.js';
import { addedCapacity, addsCapacity, renameReplacements, replacedPools } from '../../domain/update/capacity.js';
import { changesExpiry, patchSpec, recordOnly, specHash } from '../../domain/update/patch.js';
import { verb, type ServiceContext } from '../context.js';
import { commit } from '../common/commit.js';
import { launchExecution } from '../common/launch.js';
import { planFor } from '../common/plan-for.js';
import { preflight } from '../common/preflight.js';
import { expectedVersion } from '../common/view.js';
import { visibleEnvironment } from '../common/visible.js';
import { checkTargets, storableSpec } from './create.js';

/**
 * PATCH /environments/{id} (DESIGN §4): a JSON merge patch of the spec. The new spec is normalised
 * and checked (domain/update/patch.ts); the update plan is the diff between what the environment
 * was last known to be and it (domain/plan/update.ts). A change that needs no Google call
 * (deletion protection, notification targets) is recorded at once; one that changes nothing
 * changes nothing; any other starts an `update` operation. Allowed on ACTIVE and on FAILED (after a
 * create or an update: the update converges to the new spec, fixing what failed).
 */

const BUSY = 'wait for it or cancel it, then send the PATCH again';

export interface UpdateInput {
  id: string;
  patch: unknown;
  ifMatch?: string;
}

/** The new spec, what changed, the base the update converges from, and the quota the change needs. */
interface Prepared {
  spec: NormalisedSpec;
  changed: string[];
  base: UpdateBase;
  preflight?: PreflightResult;
  /** When the patch moves the expiry: the new expireTime (absent: the environment no longer expires). */
  expiry?: { expireTime?: string };
}

function checkUpdatable(record: EnvironmentRecord): void {
  const op = record.operation;
  if (op?.state === 'RUNNING') throw operationInProgress(op, BUSY);
  if (record.state !== 'ACTIVE' && record.state !== 'FAILED') {
    throw new DomainError('FAILED_PRECONDITION', `environment ${record.id} is ${record.state}: only an ACTIVE or FAILED environment can be changed`);
  }
  if (op?.target === 'delete') {
    throw new DomainError('FAILED_PRECONDITION', `environment ${record.id} failed while being deleted: retry the delete (POST /environments/${record.id}/retry) rather than change it`);
  }
}

/**
 * Steps 2 of the verb: the patched spec, checked; its notification targets (when replaced); the
 * base; and for a change that adds capacity, the quota preflight — which also decides whether a
 * replaced TPU pool can be created beside the old one (under another GKE name) or only after it.
 */
async function prepare(deps: Deps, ctx: ServiceContext, record: EnvironmentRecord, patch: unknown): Promise<Prepared> {
  checkUpdatable(record);
  const result = patchSpec(record.spec as NormalisedSpec, patch);
  if (!result.ok) throw validationFailed(result.errors);
  if (result.changed.includes('notifications')) await checkTargets(deps, result.spec);
  // A ttl counts from the creation, and the service's maximum too: extending cannot outlive it.
  const resolved = changesExpiry(result.changed) ? resolveExpiry(result.spec, deps.now(), deps.expiry, new Date(record.createTime)) : undefined;
  if (resolved?.errors.length) throw validationFailed(resolved.errors);
  const expiry = resolved && { expiry: resolved.expireTime ? { expireTime: resolved.expireTime } : {} };
  const base = baseOf(deps, record);
  if (!result.changed.length || recordOnly(result.changed)) return { spec: result.spec, changed: result.changed, base, ...expiry };

  const from = base.spec as NormalisedSpec;
  const replaced = new Set(replacedPools(from, result.spec).map((p) => p.name));
  const check = async (alongside: ReadonlySet<string>) => {
    const capacity = addedCapacity(from, result.spec, alongside);
    return addsCapacity(capacity) ? preflight(deps, ctx, capacity) : undefined;
  };
  let checked = await check(replaced);
  let createFirst = replaced;
  if (replaced.size && checked && preflightError(checked)) {
    // Not both at once: the old pools go first, and their quota serves the new ones.
    createFirst = new Set();
    checked = await check(createFirst);
  }
  const order = createFirst.size ? 'createFirst' : 'deleteFirst';
  const reason = order === 'createFirst'
    ? (checked?.checked === false ? 'quota could not be read; created first to keep serving' : 'quota allows both at once')
    : 'quota does not allow both at once';
  const replacements = Object.fromEntries([...replaced].map((name) => [name, { order, reason } as const]));
  return {
    spec: renameReplacements(result.spec, createFirst),
    changed: result.changed,
    base: { ...base, ...(replaced.size && { replacements }) },
    ...(checked && { preflight: checked }),
    ...expiry,
  };
}

const baseOf = (deps: Deps, record: EnvironmentRecord): UpdateBase => nextUpdateBase(record, {
  current: () => planFor(deps, record),
  create: () => planFor(deps, record, { target: 'create' }),
});

function updatePlan(deps: Deps, id: string, spec: NormalisedSpec, base: UpdateBase): Plan {
  return buildPlan(spec, {
    kind: 'update', update: base, apis: deps.google.apis(), apiBase: deps.apiBase(), environmentId: id,
    workflowServiceAccount: deps.google.workflowServiceAccount, serviceAccount: deps.google.serviceAccount, includeBootstrap: false, purgeData: false,
  });
}

/** `validateOnly`: the new normalised spec, what changed, the update plan, the cost of the new spec and the preflight of what it adds. */
export const previewUpdate = verb(async (deps, ctx, input: UpdateInput): Promise<{
  spec: NormalisedSpec; changed: string[]; plan: Plan; estimate: CostEstimate; preflight?: PreflightResult; replacements?: UpdateBase['replacements'];
}> => {
  const record = await visibleEnvironment(deps, ctx, input.id);
  expectedVersion(record, input.ifMatch);
  const prepared = await prepare(deps, ctx, record, input.patch);
  return {
    spec: storableSpec(prepared.spec),
    changed: prepared.changed,
    plan: updatePlan(deps, record.id, prepared.spec, prepared.base),
    estimate: estimateCost(prepared.spec, deps.prices()),
    ...(prepared.preflight && { preflight: prepared.preflight }),
    ...(prepared.base.replacements && { replacements: prepared.base.replacements }),
  };
});

/**
 * Records the new spec and starts the update operation (`started`), or records a change that
 * needs no Google call, or nothing when nothing changed. `secrets`: signing secrets of webhook
 * targets the patch adds, shown in this response only.
 */
export const updateEnvironment = verb(async (deps, ctx, input: UpdateInput): Promise<{ record: EnvironmentRecord; started: boolean; secrets: Record<string, string> }> => {
  const before = await visibleEnvironment(deps, ctx, input.id);
  const version = expectedVersion(before, input.ifMatch);
  const prepared = await prepare(deps, ctx, before, input.patch);
  if (!prepared.changed.length) return { record: before, started: false, secrets: {} };
  const refusal = prepared.preflight && preflightError(prepared.preflight);
  if (refusal) {
    throw new DomainError('QUOTA_EXCEEDED', `nothing was changed: ${refusal.message}; raise the quota or change less, then send the PATCH again`, { preflight: prepared.preflight });
  }

  const targetsReplaced = prepared.changed.includes('notifications');
  const { targets, secrets } = targetsReplaced ? deps.notify.seal(prepared.spec.notifications) : { targets: undefined, secrets: {} };
  const time = deps.now().toISOString();
  const operationId = deps.newId('op');
  const hash = specHash(prepared.spec);
  const immediate = recordOnly(prepared.changed);
  const { record } = await commit(deps, ctx, input.id, (current) => {
    // The transaction sees the version the decision was made on (else 412): the base and the
    // preflight were computed from it.
    checkUpdatable(current);
    const spec = storableSpec(prepared.spec);
    const changedRecord: EnvironmentRecord = {
      ...withExpiry(current, prepared.expiry), spec, labels: spec.labels,
      ...(targets && { notifications: targets, disabledTargets: Object.fromEntries(Object.entries(current.disabledTargets).filter(([id]) => id.startsWith('default-'))) }),
    };
    const specEvent: NewEvent = {
      time, type: 'spec.updated', message: `spec changed: ${prepared.changed.join(', ')}`,
      details: { changed: prepared.changed, specHash: hash, previousSpecHash: specHash(current.spec as NormalisedSpec) },
    };
    if (immediate) return { record: changedRecord, events: [specEvent] };
    const begun = beginOperation(changedRecord, {
      id: operationId, kind: 'update', target: 'update', command: 'update', time, busyAdvice: BUSY,
      message: `update operation started: ${prepared.changed.join(', ')}`,
    });
    const operation = { ...begun.record.operation!, specHash: hash, update: prepared.base };
    const started = { ...begun.record, operation, progress: { ...begun.record.progress, update: {} }, stages: stagesFor(begun.record, prepared.spec) };
    const staged = withStages(started, updatePlan(deps, current.id, prepared.spec, prepared.base), time);
    const events: NewEvent[] = [{ ...specEvent, operationId }, ...begun.events, ...(prepared.preflight ? [preflightEvent(prepared.preflight, operationId, time)] : []), ...staged.events];
    return { record: staged.record, events };
  }, { expectedVersion: version ?? before.version });
  if (immediate) return { record, started: false, secrets };
  return { record: await launchExecution(deps, ctx, record), started: true, secrets };
});

/** A stage the new spec turns on starts PENDING (perf was SKIPPED); one it turns off stays as it is until the update ends. */
function stagesFor(record: EnvironmentRecord, spec: NormalisedSpec): EnvironmentRecord['stages'] {
  return record.stages.map((stage) => {
    const enabled = STAGES.find((s) => s.name === stage.name)!.enabled(spec);
    return enabled && stage.state === 'SKIPPED' ? { ...stage, state: 'PENDING', steps: { total: 0, done: 0, failed: 0 } } : stage;
  });
}

/** The record with a moved expiry (absent: it no longer expires), owing its notices again (the sweep sends only the nearest one due). */
function withExpiry(record: EnvironmentRecord, expiry: Prepared['expiry']): EnvironmentRecord {
  if (!expiry) return record;
  const { expireTime: _moved, ...rest } = record;
  return { ...rest, ...(expiry.expireTime && { expireTime: expiry.expireTime }), expiryNotices: [] };
}
