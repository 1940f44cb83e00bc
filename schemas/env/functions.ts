/**
 * One environment schema per function. The CDK construct's `environment` is typed from
 * these (`EnvOf<'clean-events'>`), and each handler parses its own once at cold start
 * (functions/shared/env.ts). `process.env` is read nowhere else.
 *
 * Endpoints are not configuration here: the AWS SDK reads the standard
 * `AWS_ENDPOINT_URL_<SERVICE>` variables itself, which is how the local platform points
 * the very same handlers at the emulators.
 */
import { z } from 'zod';
import { SCORE_MODEL_NAMES } from '../profile.ts';

const boolString = z
  .enum(['true', 'false'])
  .default('false')
  .transform((v) => v === 'true');

const common = {
  POWERTOOLS_SERVICE_NAME: z.string().default('sightline'),
  POWERTOOLS_METRICS_NAMESPACE: z.string().default('Sightline'),
  /** Only the local platform sets it: s3rver needs path-style addressing. */
  S3_FORCE_PATH_STYLE: boolString,
};

/** What every scoring function reads: the table, the registry, which models, which clock. */
const scoring = {
  PROFILES_TABLE_NAME: z.string().min(1),
  MODELS_BUCKET: z.string().min(1),
  /** Registry names of the models that score (functions/domain/score/current-models.ts). */
  SCORE_MODELS: z.string().default(SCORE_MODEL_NAMES.join(',')).transform((v) => v.split(',').map((m) => m.trim()).filter(Boolean)),
  MODEL_CACHE_SECONDS: z.coerce.number().int().min(0).default(60),
  /** `wall`: scores as of now; `profile`: as of the instant the profile's tags were evaluated (historical replays). */
  SCORE_CLOCK: z.enum(['wall', 'profile']).default('wall'),
};

/** The one-click unsubscribe: its public URL and the secret its tokens are signed with. */
const unsubscribe = {
  /** POST /v1/unsubscribe of the event API (https in AWS; loopback http locally). */
  UNSUBSCRIBE_URL: z.string().url(),
  /** Secrets Manager secret holding the signing key (AWS). */
  UNSUBSCRIBE_SECRET_ARN: z.string().default(''),
  /** The signing key itself (the local platform only; AWS uses the secret). */
  UNSUBSCRIBE_SECRET: z.string().default(''),
};

/**
 * What the privacy functions say on a receipt about the stores they cannot search
 * (functions/domain/privacy/erasure.ts staticNotes), and whether Personalize is deployed.
 */
const privacyNotes = {
  /** The event streams' retention (lib/constructs/data.ts): records expire, they cannot be deleted. */
  KINESIS_RETENTION_HOURS: z.coerce.number().int().positive().default(168),
  /** Clean's DEDUP_TTL_SECONDS, in hours: how long idempotency records live. */
  DEDUP_TTL_HOURS: z.coerce.number().int().positive().default(24),
  PERSONALIZE_ENABLED: boolString,
};

/** What the admin API's readers share: k of k-anonymity in reporting (no rate of a smaller group). */
const admin = {
  K_ANONYMITY: z.coerce.number().int().min(2).default(10),
};

export const envSchemas = {
  'authorize-write-key': z.object({ ...common, SOURCES_TABLE_NAME: z.string().min(1) }),
  'collect-events': z.object({
    ...common,
    /** The browser paths and the settings document check write keys themselves (handlers/collect-events.ts). */
    SOURCES_TABLE_NAME: z.string().min(1),
    RAW_STREAM_NAME: z.string().min(1),
    FAILED_EVENTS_BUCKET: z.string().min(1),
  }),
  /** POST /v1/consent: a consent record onto the raw stream (functions/domain/privacy/consent-record.ts). */
  'record-consent': z.object({ ...common, RAW_STREAM_NAME: z.string().min(1), FAILED_EVENTS_BUCKET: z.string().min(1) }),
  'clean-events': z.object({
    ...common,
    CLEAN_STREAM_NAME: z.string().min(1),
    FAILED_EVENTS_BUCKET: z.string().min(1),
    IDEMPOTENCY_TABLE_NAME: z.string().min(1),
    /** JSON of schemas/pii-policy.ts; empty means the default policy. */
    PII_POLICY: z.string().default(''),
    /** Salt for hashed fields (not a secret against brute force on emails; it separates deployments). */
    PII_HASH_SALT: z.string().default(''),
    /** How long a messageId is remembered for de-duplication. */
    /**
     * `profile` (default): duplicates are dropped within a batch here and made no-ops by the
     * profile's own guard (no extra writes). `table`: also remembered in the idempotency table
     * for DEDUP_TTL_SECONDS (Powertools idempotency; about two write units per event).
     */
    DEDUP_MODE: z.enum(['profile', 'table']).default('profile'),
    DEDUP_TTL_SECONDS: z.coerce.number().int().positive().default(24 * 3600),
  }),
  'tag-profiles': z.object({
    ...common,
    PROFILES_TABLE_NAME: z.string().min(1),
    FAILED_EVENTS_BUCKET: z.string().min(1),
    /**
     * `event`: tags are evaluated as of the newest event time seen in the batch (replays of
     * historical data get meaningful recency); `wall`: as of the processing time.
     */
    TAG_CLOCK: z.enum(['event', 'wall']).default('wall'),
    /** Where touched profile ids are announced for the score consumer; empty: not announced. */
    CHANGES_STREAM_NAME: z.string().default(''),
  }),
  'score-profiles': z.object({ ...common, ...scoring, FAILED_EVENTS_BUCKET: z.string().min(1) }),
  'rescore-profiles': z.object({ ...common, ...scoring }),
  'measure-drift': z.object({ ...common, ...scoring }),
  'train-scores': z.object({
    ...common,
    PROFILES_TABLE_NAME: z.string().min(1),
    MODELS_BUCKET: z.string().min(1),
    /** The models the scheduled job retrains from profiles (propensity: once contacts carry outcomes). */
    TRAIN_MODELS: z.string().default(SCORE_MODEL_NAMES.join(',')).transform((v) => v.split(',').map((m) => m.trim()).filter(Boolean)),
  }),
  'get-profile': z.object({ ...common, PROFILES_TABLE_NAME: z.string().min(1) }),
  'get-recommendations': z.object({
    ...common,
    MODELS_BUCKET: z.string().min(1),
    PROFILES_TABLE_NAME: z.string().min(1),
    /** The registry model that answers (functions/domain/shared/model-registry.ts). */
    RECOMMENDER_MODEL: z.string().default('recommender'),
    /** How often a warm function re-reads the registry's pointers. */
    MODEL_CACHE_SECONDS: z.coerce.number().int().min(0).default(60),
  }),
  'start-campaign': z.object({ ...common, CAMPAIGNS_TABLE_NAME: z.string().min(1), PROFILES_TABLE_NAME: z.string().min(1) }),
  'send-campaign-page': z.object({
    ...common,
    ...unsubscribe,
    CAMPAIGNS_TABLE_NAME: z.string().min(1),
    PROFILES_TABLE_NAME: z.string().min(1),
    /** Messages per second for one campaign; 0: the SES account's MaxSendRate (GetAccount at cold start). */
    SEND_RATE_PER_SECOND: z.coerce.number().min(0).default(0),
    /** Secrets Manager secret holding the webhook signing key (AWS); locally the key itself in WEBHOOK_SECRET. */
    WEBHOOK_SECRET_ARN: z.string().default(''),
    /** The model registry for templates' `recommendations` (current recommender and catalog); empty: none. */
    MODELS_BUCKET: z.string().default(''),
    RECOMMENDER_MODEL: z.string().default('recommender'),
    WEBHOOK_SECRET: z.string().default(''),
    /** SES configuration set whose event destination feeds the feedback function; empty: none. */
    SES_CONFIGURATION_SET: z.string().default(''),
  }),
  'summarize-campaign': z.object({ ...common, CAMPAIGNS_TABLE_NAME: z.string().min(1) }),
  'record-feedback': z.object({ ...common, CAMPAIGNS_TABLE_NAME: z.string().min(1) }),
  'attribute-conversions': z.object({
    ...common,
    CAMPAIGNS_TABLE_NAME: z.string().min(1),
    PROFILES_TABLE_NAME: z.string().min(1),
    FAILED_EVENTS_BUCKET: z.string().min(1),
  }),
  unsubscribe: z.object({ ...common, ...unsubscribe, CAMPAIGNS_TABLE_NAME: z.string().min(1), PROFILES_TABLE_NAME: z.string().min(1) }),
  'archive-interactions': z.object({
    ...common,
    INTERACTIONS_BUCKET: z.string().min(1),
    FAILED_EVENTS_BUCKET: z.string().min(1),
    /** Where the Personalize pointer (event tracker) is read; unset without Personalize. */
    MODELS_BUCKET: z.string().optional(),
  }),
  'privacy-export': z.object({
    ...common,
    ...privacyNotes,
    PROFILES_TABLE_NAME: z.string().min(1),
    CAMPAIGNS_TABLE_NAME: z.string().min(1),
    FAILED_EVENTS_BUCKET: z.string().min(1),
    INTERACTIONS_BUCKET: z.string().min(1),
  }),
  'privacy-erase': z.object({ ...common, PRIVACY_TABLE_NAME: z.string().min(1), ERASURE_STATE_MACHINE_ARN: z.string().min(1) }),
  'erase-job': z.object({ ...common, ...privacyNotes, PRIVACY_TABLE_NAME: z.string().min(1), PROFILES_TABLE_NAME: z.string().min(1) }),
  'erase-profiles': z.object({ ...common, ...privacyNotes, PRIVACY_TABLE_NAME: z.string().min(1), PROFILES_TABLE_NAME: z.string().min(1) }),
  'erase-campaigns': z.object({ ...common, ...privacyNotes, PRIVACY_TABLE_NAME: z.string().min(1), CAMPAIGNS_TABLE_NAME: z.string().min(1) }),
  'erase-failed-events': z.object({ ...common, ...privacyNotes, PRIVACY_TABLE_NAME: z.string().min(1), FAILED_EVENTS_BUCKET: z.string().min(1) }),
  'erase-archive': z.object({
    ...common,
    ...privacyNotes,
    PRIVACY_TABLE_NAME: z.string().min(1),
    INTERACTIONS_BUCKET: z.string().min(1),
  }),
  'erase-personalize': z.object({
    ...common,
    ...privacyNotes,
    PRIVACY_TABLE_NAME: z.string().min(1),
    INTERACTIONS_BUCKET: z.string().min(1),
    PERSONALIZE_DATASET_GROUP_ARN: z.string().min(1),
    PERSONALIZE_ROLE_ARN: z.string().min(1),
  }),
  // ---- the admin API (lib/constructs/admin-api.ts; functions/domain/observe/) ----
  'admin-profiles': z.object({ ...common, ...admin, PROFILES_TABLE_NAME: z.string().min(1), CAMPAIGNS_TABLE_NAME: z.string().min(1) }),
  'admin-segments': z.object({ ...common, PROFILES_TABLE_NAME: z.string().min(1), CAMPAIGNS_TABLE_NAME: z.string().min(1) }),
  'admin-campaigns': z.object({ ...common, ...admin, CAMPAIGNS_TABLE_NAME: z.string().min(1), CAMPAIGN_STATE_MACHINE_ARN: z.string().min(1) }),
  'admin-models': z.object({
    ...common,
    ...scoring,
    /** Registry models the admin API lists and may promote or roll back. */
    MODEL_NAMES: z.string().default([...SCORE_MODEL_NAMES, 'recommender', 'clusters'].join(',')).transform((v) => v.split(',').map((m) => m.trim()).filter(Boolean)),
  }),
  'admin-health': z.object({
    ...common,
    FAILED_EVENTS_BUCKET: z.string().min(1),
    RAW_STREAM_NAME: z.string().min(1),
    /** `cloudwatch` (AWS: metrics) or `streams` (local: the raw stream itself); functions/adapters/observe-pipeline-metrics.ts. */
    HEALTH_SOURCE: z.enum(['cloudwatch', 'streams']).default('cloudwatch'),
    /** `<consumer>=<Lambda function name>,…`: whose IteratorAge is read. */
    CONSUMER_FUNCTIONS: z
      .string()
      .default('')
      .transform((v) => Object.fromEntries(v.split(',').filter(Boolean).map((pair) => pair.split('=').map((x) => x.trim()) as [string, string]))),
  }),
  'get-openapi': z.object({ ...common }),
} as const;

export type FunctionName = keyof typeof envSchemas;
/** What a construct must pass as `environment` for a function (strings, as Lambda has them). */
export type EnvOf<F extends FunctionName> = { [K in keyof z.input<(typeof envSchemas)[F]>]-?: string } extends infer T
  ? Partial<T> & { [K in RequiredKeys<F>]: string }
  : never;
type RequiredKeys<F extends FunctionName> = {
  [K in keyof z.input<(typeof envSchemas)[F]>]-?: undefined extends z.input<(typeof envSchemas)[F]>[K] ? never : K;
}[keyof z.input<(typeof envSchemas)[F]>];
export type ParsedEnv<F extends FunctionName> = z.output<(typeof envSchemas)[F]>;
