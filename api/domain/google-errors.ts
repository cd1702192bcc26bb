import type { ErrorInfo, StageName } from './environment.js';
import { TPU_ZONES, tpuRegions, tpuZonesIn } from './locations.js';
import type { RawStepError } from './reports.js';
import { tpuType } from './tpu.js';

/**
 * Turns what the workflow saw (an HTTP error body or a long-running operation's error) into a
 * precise ErrorInfo: a stable code, Google's reason and message, and what the user can do
 * (DESIGN §1.5: TPU stockout → other zones; quota → which quota).
 */

interface GoogleErrorFields {
  code?: number | string;
  status?: string;
  message?: string;
  reason?: string;
}

/** Finds Google's fields in the shapes the APIs use: `{error:{…}}`, LRO `error`, compute `errors[]`. */
function googleFields(google: unknown): GoogleErrorFields {
  if (!google || typeof google !== 'object') return typeof google === 'string' ? { message: google } : {};
  const g = google as Record<string, unknown>;
  const inner = (g.error && typeof g.error === 'object' ? g.error : g) as Record<string, unknown>;
  const errors = Array.isArray(inner.errors) ? (inner.errors as Record<string, unknown>[]) : [];
  const details = Array.isArray(inner.details) ? (inner.details as Record<string, unknown>[]) : [];
  const infoReason = details.find((d) => typeof d.reason === 'string')?.reason as string | undefined;
  const first = errors[0];
  return {
    code: (inner.code as number | string | undefined) ?? (first?.code as string | undefined),
    status: typeof inner.status === 'string' ? inner.status : undefined,
    message: (typeof inner.message === 'string' ? inner.message : undefined) ?? (first?.message as string | undefined) ?? (typeof g.statusMessage === 'string' ? g.statusMessage : undefined),
    reason: infoReason ?? (first?.reason as string | undefined) ?? (typeof first?.code === 'string' ? (first.code as string) : undefined),
  };
}

const ZONE = /\b[a-z]+-[a-z]+\d+-[a-z]\b/g;

/** What the failing step is about, for advice that fits the environment (progress.ts builds it). */
export interface StepContext {
  environmentId: string;
  region: string;
  /** The TPU pool the step creates, if it does: its spec path and type. */
  tpuPool?: { path: string; tpuType: string };
}

/**
 * What to do about a stockout now. Google names no other zone ("Try a different zone, or try again
 * later."); the zones of the environment's region that offer the TPU type come from Google's TPU
 * table (locations.ts) — a zone of another region would be refused. A pool's zone cannot change on
 * an existing environment, so another zone means another environment; a retry deletes what the
 * stockout left in ERROR and creates it again.
 */
function stockoutHint(zones: string[], context: StepContext | undefined): string {
  const where = zones.join(', ') || 'that zone';
  if (!context) return `no capacity in ${where} right now; retry later, or create the environment in zones that have capacity`;
  const retry = `retry later: POST /environments/${context.environmentId}/retry deletes what the stockout left in ERROR and creates it again`;
  const type = context.tpuPool && tpuType(context.tpuPool.tpuType);
  if (!context.tpuPool || !type) {
    return `no capacity for the CPU node pools in ${where} right now; ${retry}; or create a new environment whose zones (zones, cluster.cpuNodePools[].zones) are other zones of ${context.region}`;
  }
  const { path, tpuType: name } = context.tpuPool;
  const others = tpuZonesIn(type.generation, context.region).filter((z) => !zones.includes(z));
  const capacity = `or use capacity you hold (${path}.reservation) or spot capacity (${path}.spot)`;
  if (others.length) {
    return `no TPU ${type.generation} (${name}) capacity in ${where} right now; ${retry}; ${capacity}; or move the pool ` +
      `(a PATCH of ${path}.zones) to another zone of ${context.region} that offers it: ${others.join(', ')}`;
  }
  const regions = tpuRegions(type.generation).filter((r) => r !== context.region);
  const elsewhere = regions.map((r) => `${r} (${TPU_ZONES[type.generation].filter((z) => z.startsWith(`${r}-`)).join(', ')})`).join(', ');
  return `no TPU ${type.generation} (${name}) capacity in ${where} right now, and no other zone of ${context.region} offers it; ${retry}; ` +
    `${capacity}; or create a new environment in another region that offers it: ${elsewhere}`;
}

export function describeStepError(stage: StageName | undefined, step: string | undefined, raw: RawStepError | undefined, context?: StepContext): ErrorInfo {
  const fields = googleFields(raw?.google);
  const message = fields.message ?? raw?.message ?? 'the step failed without an error message';
  const httpStatus = raw?.httpStatus ?? (typeof fields.code === 'number' && fields.code >= 100 ? fields.code : undefined);
  const google = { httpStatus, reason: fields.reason ?? fields.status, message };
  const where = step ? ` (step ${step})` : '';
  const text = `${message} ${fields.reason ?? ''} ${fields.status ?? ''}`;
  const base = { stage, step, google };

  // The plan's own refusal: the resource exists and does not carry the environment's mark.
  if (raw?.tags?.includes('NotOwned')) {
    return { stage, step, code: 'ALREADY_EXISTS', message: raw.message ?? `the resource already exists and is not this environment's${where}`, ...(raw.hint && { hint: raw.hint }) };
  }

  if (/GCE_STOCKOUT|ZONE_RESOURCE_POOL_EXHAUSTED|does not have enough resources available/i.test(text)) {
    const zones = [...new Set(message.match(ZONE) ?? [])];
    const what = context && !context.tpuPool ? 'Compute Engine capacity' : 'TPU capacity';
    return { ...base, code: 'GCE_STOCKOUT', message: `${what} is exhausted${where}: ${message}`, hint: stockoutHint(zones, context) };
  }
  if (/QUOTA_EXCEEDED|quotaExceeded|RESOURCE_EXHAUSTED|Quota '?[A-Z_]+'? exceeded|quota/i.test(text) && !/rate/i.test(fields.reason ?? '')) {
    const metric = /(?:Quota|metric)\s*'?"?([A-Z][A-Z0-9_]+)'?"?/.exec(message)?.[1];
    const region = /region\s*'?"?([a-z]+-[a-z]+\d+)/i.exec(message)?.[1];
    return {
      ...base,
      code: 'QUOTA_EXCEEDED',
      message: `quota exceeded${where}: ${message}`,
      hint: `request a quota increase${metric ? ` for ${metric}` : ''}${region ? ` in ${region}` : ''} (IAM & Admin → Quotas), then retry`,
    };
  }
  if (/SERVICE_DISABLED|has not been used in project|it is disabled/i.test(text)) {
    return { ...base, code: 'SERVICE_DISABLED', message: `a Google API is not enabled${where}: ${message}`, hint: 'enable the API (bootstrap.additionalServices) and retry' };
  }
  if (httpStatus === 403 || fields.status === 'PERMISSION_DENIED') {
    const permission = /permission '?"?([a-z]+\.[a-zA-Z.]+)/.exec(message)?.[1] ?? /([a-z]+\.[a-zA-Z]+\.[a-zA-Z]+)/.exec(message)?.[1];
    return {
      ...base,
      code: 'PERMISSION_DENIED',
      message: `permission denied${where}: ${message}`,
      hint: `grant the acting service account ${permission ? `the permission ${permission}` : 'the missing role'} (see bootstrap roles), then retry`,
    };
  }
  // Our own internal routes answer problem+json with a SCREAMING_SNAKE `code` (e.g. NOT_FOUND), and
  // the Saxml deployer's status says why a part of the cell failed (domain/saxml/status.ts).
  const ownCode = typeof fields.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(fields.code) ? fields.code : undefined;
  const saxmlHint = ownCode ? SAXML_HINTS[ownCode] : undefined;
  if (saxmlHint) return { ...base, code: ownCode!, message: `${message}${where}`, hint: saxmlHint };
  const code = fields.status ?? ownCode ?? (httpStatus ? `HTTP_${httpStatus}` : raw?.tags?.[0]?.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() ?? 'STEP_FAILED');
  return { ...base, code, message: `${message}${where}` };
}

/** What to do about a failed part of the Saxml cell, by the deployer's failure code. */
const SAXML_HINTS: Record<string, string> = {
  UNSCHEDULABLE: 'the scheduler names the node pool and why (selector, taint, capacity): fix the pool or the fault, then retry',
  IMAGE_PULL_FAILED: 'check the image name (saxml.images, saxml.proxy.image) and that the node service account may read it (artifactregistry.reader), then retry',
  CRASH_LOOP: 'the container’s last log line says why it exits; fix the cause (image, parameters), then retry',
  PUBLISH_FAILED: 'check the model path and the checkpoint (saxml.models), then retry',
  NOT_ADOPTED: 'remove the objects that are not this environment’s, or choose another saxml.namespace, then retry',
  CLUSTER_ACCESS_DENIED: 'the service’s identity needs roles/iam.serviceAccountTokenCreator on the automation account (bootstrap grants it); retry once granted',
  KUBERNETES_REFUSED: 'the cluster refused an object: the message names it; retry once the cause is fixed',
};
