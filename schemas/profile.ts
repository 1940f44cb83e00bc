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

export const PROFILE_SCHEMA_VERSION = 1;

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
  currency: z.string().optional(),
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
  consent: z.record(z.string(), z.boolean()).default({}),
  /** Model scores with their explanations (functions/domain/score/score-profile.ts); additive in v1. */
  scores: z.record(z.string(), storedScoreSchema).optional(),
  campaignContact: campaignContactSchema.optional(),
  timezone: z.string().optional(),
  /** Short hashes of the last message ids applied: makes re-delivery a no-op (see domain/profiles/profile.ts). */
  applied: z.array(z.string()).default([]),
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
