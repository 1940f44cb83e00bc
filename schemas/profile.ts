/**
 * Items of the profiles table (single-table design; key design in README "Profiles").
 *
 *   pk                     sk        item
 *   P#<profileId>          PROFILE   the profile (traits, aggregates, tags, consent)
 *   P#<profileId>          SCORES    its model scores with explanations (scoresItemSchema)
 *   ID#<kind>#<value>      ID        identity → profileId   (kind: user | anon | email)
 *
 * Every item carries `schemaVersion`; readers accept every version they know.
 * `version` is the optimistic-concurrency counter: every write is conditional on it.
 */
import { z } from 'zod';
import { consentHistorySchema } from './consent.ts';

export const PROFILE_SCHEMA_VERSION = 1;

/**
 * The numbers a profile or scores item can hold, as the DynamoDB SDK writes them: finite;
 * at most 2^53 − 1 in magnitude (lib-dynamodb refuses larger numbers it cannot write
 * exactly, although DynamoDB itself goes to 1e126); and 0 or at least 1e-130 in magnitude
 * (DynamoDB's "Number underflow"). Every number the domain writes is kept inside it.
 */
export const MAX_STORED_NUMBER = Number.MAX_SAFE_INTEGER;
export const MIN_STORED_MAGNITUDE = 1e-130;
export const isStorableNumber = (n: number): boolean => Number.isFinite(n) && Math.abs(n) <= MAX_STORED_NUMBER && (n === 0 || Math.abs(n) >= MIN_STORED_MAGNITUDE);
/** The nearest storable number: non-finite → 0 (NaN) or ±MAX_STORED_NUMBER, tiny → 0. */
export function toStorableNumber(n: number): number {
  if (Number.isNaN(n)) return 0;
  if (Math.abs(n) > MAX_STORED_NUMBER) return Math.sign(n) * MAX_STORED_NUMBER;
  return Math.abs(n) < MIN_STORED_MAGNITUDE ? 0 : n;
}

export const monthStatSchema = z.object({ orders: z.number(), revenue: z.number() });

/**
 * The scoring models by registry name: the keys of a profile's scores, the models the score
 * functions load, the prefixes the training job may write (lib/constructs/data.ts).
 */
export const SCORE_MODEL_NAMES = ['propensity', 'churn', 'clv'] as const;
export type ScoreModelName = (typeof SCORE_MODEL_NAMES)[number];

/** A model's score of a profile: value, and the contributions that add up to it from `base`. */
export const storedScoreSchema = z.object({
  /** What the model outputs: log-odds models store the probability here, CLV the amount. */
  value: z.number(),
  output: z.enum(['probability', 'amount', 'days']),
  /** value = link(base + Σ contributions); for probabilities the sum is on the log-odds scale. */
  base: z.number(),
  contributions: z.array(z.object({ feature: z.string(), value: z.union([z.number(), z.string()]), contribution: z.number() })),
  /** The top contributors as a marketer reads them, e.g. "days since last purchase 210 days: +0.31". */
  explanation: z.array(z.string()),
  model: z.string(),
  version: z.string(),
  at: z.string(),
});
export type StoredScore = z.infer<typeof storedScoreSchema>;

export const aggregatesSchema = z.object({
  events: z.number().default(0),
  orders: z.number().default(0),
  revenue: z.number().default(0),
  items: z.number().default(0),
  /** Orders with a discount or coupon: feeds price sensitivity. */
  discountedOrders: z.number().default(0),
  returns: z.number().default(0),
  returnedValue: z.number().default(0),
  firstSeen: z.string().optional(),
  lastSeen: z.string().optional(),
  firstOrderAt: z.string().optional(),
  lastOrderAt: z.string().optional(),
  /** YYYY-MM → orders and revenue in that month (UTC), the last 36 months kept. */
  months: z.record(z.string(), monthStatSchema).default({}),
  /** category → items bought. Top 20 kept. */
  categories: z.record(z.string(), z.number()).default({}),
  /** channel (email, web, mobile, …) → events seen. */
  channels: z.record(z.string(), z.number()).default({}),
  /**
   * The profile's primary currency: the first currency an order of it named (kept through
   * merges by the survivor). `revenue`, `returnedValue` and the months' revenue are sums in
   * it — orders that name no currency count as being in it — so the tag rules and scores
   * never add two currencies. (Before revenueByCurrency, v1 profiles kept the latest here.)
   */
  currency: z.string().optional(),
  /** ISO 4217 code → revenue of the Order Completed events that named it. Additive in v1. */
  revenueByCurrency: z.record(z.string(), z.number()).default({}),
  /**
   * When the person is active: a sparse histogram over the 168 local hours of the week, for
   * send-time optimisation (functions/domain/profiles/activity-hours.ts states the format).
   * Additive in v1.
   */
  activityHours: z.string().optional(),
});
export type Aggregates = z.infer<typeof aggregatesSchema>;

/**
 * The person's latest campaign contact (track "Campaign Contacted"): which campaign, on
 * which channel, when, its context as sent (what the propensity model reads), and the
 * outcome once known. The latest by event time wins. Additive in v1.
 */
export const campaignContactSchema = z.object({
  campaign: z.string(),
  at: z.string(),
  channel: z.string().optional(),
  outcome: z.enum(['converted', 'declined']).optional(),
  context: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
});
export type CampaignContact = z.infer<typeof campaignContactSchema>;

/**
 * A profile's scores, kept beside it (same partition, sk SCORES) rather than on it: Tag
 * rewrites the profile item on every batch and would pay for the scores' bytes each time,
 * and the scorer never races Tag on the profile's version. `profileVersion` is the profile
 * version the scores were computed from: a write never replaces scores of a newer version.
 */
export const scoresItemSchema = z.object({
  schemaVersion: z.literal(1),
  profileId: z.string(),
  profileVersion: z.number().int().nonnegative(),
  scores: z.record(z.string(), storedScoreSchema),
  updatedAt: z.string(),
});
export type ScoresItem = z.infer<typeof scoresItemSchema>;

/**
 * How a scores item is stored: each score's contributions as three parallel arrays
 * (features, values, contributions) instead of an array of maps. DynamoDB bills attribute
 * names inside maps on every write; the compact form takes churn + lifetime value from
 * about 1.5 KB to under 1 KB, one write unit instead of two (bench/RESULTS.md). The adapter
 * converts; everything above it sees ScoresItem.
 */
export const storedScoreCompactSchema = storedScoreSchema.omit({ contributions: true, model: true }).extend({
  features: z.array(z.string()),
  values: z.array(z.union([z.number(), z.string()])),
  contributions: z.array(z.number()),
});
export const storedScoresItemSchema = scoresItemSchema.extend({ scores: z.record(z.string(), storedScoreCompactSchema) });
export type StoredScoresItem = z.infer<typeof storedScoresItemSchema>;

/**
 * Which events a profile has applied, bounded (domain/profiles/profile.ts):
 * - `buckets`: one string per receive hour, `<hour base 36>.<newest event time in it, ms
 *   base 36>.<8-character base64url sha256(messageId) prefixes, concatenated>`: one
 *   string rather than a list or map of them, because DynamoDB bills every element and name.
 * - `seal`: the newest event time (epoch ms) of any applied event whose hash was forgotten.
 */
export const dedupStateSchema = z.object({
  buckets: z.array(z.string()).default([]),
  seal: z.number().optional(),
});
export type DedupState = z.infer<typeof dedupStateSchema>;

export const tagValueSchema = z.union([z.string(), z.number(), z.boolean()]);
export const tagsSchema = z.record(z.string(), tagValueSchema);
export type Tags = z.infer<typeof tagsSchema>;

export const profileSchema = z.object({
  schemaVersion: z.literal(1),
  profileId: z.string(),
  version: z.number().int().nonnegative(),
  createdAt: z.string(),
  updatedAt: z.string(),
  identities: z.object({
    userIds: z.array(z.string()).default([]),
    anonymousIds: z.array(z.string()).default([]),
    emailHashes: z.array(z.string()).default([]),
  }),
  traits: z.record(z.string(), z.unknown()).default({}),
  aggregates: aggregatesSchema,
  tags: tagsSchema.default({}),
  /** The rule set version that produced `tags`, and the instant they were evaluated as of. */
  tagsRuleSet: z.string().optional(),
  tagsAsOf: z.string().optional(),
  /**
   * The current consent as flat flags (segments target `consent.<key>`), derived from
   * `consentHistory` by functions/domain/privacy/consent.ts; readers that decide ask that module.
   */
  consent: z.record(z.string(), z.boolean()).default({}),
  /**
   * Append-only, bounded consent history (schemas/consent.ts). Additive in v1: a profile
   * without it is read from its flat `consent` map (source `legacy`, at `updatedAt`).
   */
  consentHistory: consentHistorySchema.optional(),
  /** Model scores with their explanations (functions/domain/score/score-profile.ts); additive in v1. */
  scores: z.record(z.string(), storedScoreSchema).optional(),
  campaignContact: campaignContactSchema.optional(),
  timezone: z.string().optional(),
  /**
   * v1's de-duplication list (`<12 hex of sha256(messageId)>:<receive hour, base 36>`): still
   * read, folded into `dedup` at the next write and then written empty.
   */
  applied: z.array(z.string()).default([]),
  /** De-duplication state (domain/profiles/profile.ts, which states the guarantee). Additive in v1. */
  dedup: dedupStateSchema.optional(),
  /** Profiles this one absorbed in merges (makes a retried merge a no-op). */
  absorbed: z.array(z.string()).default([]),
  /** Set when this profile was merged into another: readers and writers follow it. */
  mergedInto: z.string().optional(),
});
export type Profile = z.infer<typeof profileSchema>;

export const identityKinds = ['user', 'anon', 'email'] as const;
export type IdentityKind = (typeof identityKinds)[number];

export const identityItemSchema = z.object({
  schemaVersion: z.literal(1),
  kind: z.enum(identityKinds),
  value: z.string(),
  profileId: z.string(),
  updatedAt: z.string(),
});
export type IdentityItem = z.infer<typeof identityItemSchema>;

export const sourceItemSchema = z.object({
  schemaVersion: z.literal(1),
  sourceId: z.string(),
  name: z.string(),
  /** sha256 of the write key, hex. The key itself is never stored. */
  keyHash: z.string(),
  createdAt: z.string(),
  disabled: z.boolean().default(false),
});
export type SourceItem = z.infer<typeof sourceItemSchema>;
