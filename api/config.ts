import { z } from 'zod';
import { DURATION } from './domain/expiry.js';
import { NotificationSpecSchema } from './domain/notifications/targets.js';

/**
 * One zod schema over process.env. Profiles: `local` (embedded SQLite store, in-process workflow
 * engine, sandbox cloud — the default on a laptop) and `cloud` (Firestore, Cloud Workflows, Google
 * APIs). Every variable is documented in the README; loadConfig fails with one line per problem.
 */

const port = z.coerce.number().int().min(0).max(65535);
const duration = z.string().regex(DURATION, 'must be a duration like 30m, 12h or 7d');
const emailish = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** `user:a@x.com`, `serviceAccount:b@p.iam.gserviceaccount.com`, `domain:x.com`, optionally `project-id/` before. */
export const AllowEntrySchema = z
  .string()
  .regex(/^(?:[a-z][a-z0-9-]{4,28}[a-z0-9]\/)?(?:(?:user|serviceAccount):[^@\s]+@[^@\s]+|domain:[a-z0-9.-]+\.[a-z]{2,})$/,
    'entries look like user:alice@example.com, serviceAccount:ci@p.iam.gserviceaccount.com, domain:example.com, optionally prefixed by "project-id/"');

const allowList = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .pipe(z.array(AllowEntrySchema));

/** Service-wide notification targets (JSON): every environment's events go there too. */
const defaultTargets = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array like [{"type":"slack","url":"https://hooks.slack.com/services/…"}]' });
      return z.NEVER;
    }
  })
  .pipe(z.array(NotificationSpecSchema.refine((t) => t.type !== 'webhook' || t.secret !== undefined, {
    message: 'a default webhook target needs its "secret" (whsec_…): its receivers must know it',
  })).max(10));

/** The base64 of 32 random bytes (`openssl rand -base64 32`). */
const encryptionKey = z.string().refine((v) => Buffer.from(v, 'base64').length === 32, 'must be the base64 of 32 random bytes (openssl rand -base64 32)');

const Common = {
  PORT: port.default(8080),
  LOG_LEVEL: z.enum(['debug', 'info', 'warning', 'error']).default('info'),
  /** Public base URL of this service, used by the workflow to call the internal routes. */
  PUBLIC_URL: z.url().optional(),
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  IDEMPOTENCY_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(24),
  /** A price table (JSON, the shape of api/domain/cost/prices.json) replacing the one in the repository. */
  PRICES_FILE: z.string().optional(),
  /** TTL of environments whose spec sets neither expireTime nor ttl (unset: they never expire). */
  DEFAULT_TTL: duration.optional(),
  /** The longest an environment may be kept from its creation (unset: no maximum). */
  MAX_TTL: duration.optional(),
  /** How long past its expireTime an environment is deleted: the margin against clocks running ahead. */
  EXPIRY_GRACE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(120),
  /** Open event streams one instance serves at most (each holds a connection; Cloud Run allows 80 requests per instance). */
  MAX_EVENT_STREAMS: z.coerce.number().int().min(1).max(10_000).default(50),
  NOTIFY_DEFAULT_TARGETS: defaultTargets.optional(),
};

const LocalSchema = z.object({
  PROFILE: z.literal('local'),
  ...Common,
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default('.data'),
  /** Optional static bearer token for the public routes. */
  API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Simulated cloud durations are multiplied by this (0.01: a 7-minute cluster takes 4.2 s). */
  SANDBOX_TIME_SCALE: z.coerce.number().positive('must be greater than 0').max(10).default(0.01),
  /** Unset: a key generated once and kept in DATA_DIR (notify-encryption.key). */
  NOTIFY_ENCRYPTION_KEY: encryptionKey.optional(),
  /** How often the outbox is drained in-process (0: never; then only POST /internal/deliveries:run does). */
  DELIVERY_INTERVAL_SECONDS: z.coerce.number().min(0).max(3600).default(2),
});

const CloudSchema = z.object({
  PROFILE: z.literal('cloud'),
  ...Common,
  /**
   * Required: Cloud Workflows calls the internal routes at this URL, and cannot reach the default
   * (127.0.0.1). https: the calls carry OIDC tokens.
   */
  PUBLIC_URL: z.url({ protocol: /^https$/, message: 'must be the https URL Cloud Workflows calls this service at (its Cloud Run URL)' }),
  HOST: z.string().default('0.0.0.0'),
  GOOGLE_CLOUD_PROJECT: z.string().min(1),
  FIRESTORE_DATABASE: z.string().default('(default)'),
  WORKFLOW_LOCATION: z.string().min(1),
  WORKFLOW_NAME: z.string().default('saxml-environment'),
  /** The workflow's identity: the only caller the internal routes accept. */
  WORKFLOW_SERVICE_ACCOUNT: z.string().regex(emailish, 'must be a service account email'),
  /**
   * This service's own identity (Cloud Run's service account): it deploys Saxml as each project's
   * automation account, so bootstrap grants it token-creator there.
   */
  RUNTIME_SERVICE_ACCOUNT: z.string().regex(emailish, 'must be a service account email'),
  /**
   * Audiences of the Google ID tokens this service accepts: its URLs, comma-separated (Cloud Run
   * serves a service at two `*.run.app` URLs, and a caller mints its token for the one it calls).
   */
  API_AUDIENCE: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().min(1)).min(1, 'must name at least one audience')),
  ALLOWED_PRINCIPALS: allowList,
  /**
   * `in-app`: verify Google's signature here. `cloud-run`: Cloud Run IAM already verified the
   * token and strips its signature before the container sees it, so only decode it.
   */
  ID_TOKEN_VERIFICATION: z.enum(['in-app', 'cloud-run']).default('in-app'),
  /** From Secret Manager (Cloud Run mounts it as this variable; infra/secrets.tf). */
  NOTIFY_ENCRYPTION_KEY: encryptionKey,
  /** 0: Cloud Scheduler drains the outbox through POST /internal/deliveries:run (infra/scheduler.tf). */
  DELIVERY_INTERVAL_SECONDS: z.coerce.number().min(0).max(3600).default(0),
});

const ConfigSchema = z.discriminatedUnion('PROFILE', [LocalSchema, CloudSchema]);
export type Config = z.infer<typeof ConfigSchema>;
export type LocalConfig = z.infer<typeof LocalSchema>;
export type CloudConfig = z.infer<typeof CloudSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * A problem that stops the service at start and is fully explained by its message (port in use,
 * unusable data folder, data folder owned by another process): one line, exit 1, like a ConfigError.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** Parses the environment; empty strings count as unset so `FOO=` in a shell means "default". */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const input: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') input[k] = v;
  input.PROFILE ??= 'local';
  const result = ConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || 'PROFILE';
    const got = typeof issue.path[0] === 'string' && input[issue.path[0]] !== undefined ? ` (got "${redact(issue.path[0], input[issue.path[0]]!)}")` : '';
    const key = String(issue.path[0] ?? 'PROFILE');
    const message =
      issue.code === 'invalid_union' ? 'must be "local" or "cloud"'
      : issue.code === 'invalid_type' && input[key] === undefined ? 'is required'
      : issue.code === 'invalid_type' ? `must be a ${issue.expected}`
      : issue.message;
    return `${name}: ${message}${got}`;
  });
  throw new ConfigError(problems);
}

/** Never echo secrets back, even in a configuration error. */
function redact(name: string, value: string): string {
  return /TOKEN|SECRET|KEY|PASSWORD|TARGETS/i.test(name) ? '<redacted>' : value;
}
