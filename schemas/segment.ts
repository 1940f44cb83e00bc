/**
 * A segment definition: who a campaign is for, as versioned JSON a marketer can write by hand,
 * keep in git and preview before sending (`sightline segment preview`).
 *
 * Design:
 * - A `where` tree of leaves `{ field, op, value }` combined with `and` / `or` / `not`. The
 *   field is a path rooted in one part of the profile (traits, tags, scores, aggregates,
 *   consent, campaignContact), so a definition names only data the profile actually holds,
 *   and a typo in the root fails validation instead of silently matching nobody.
 * - Comparisons take literal values, or `{ daysAgo: n }` for instants ("last order in the last
 *   90 days" must not be re-edited every day); ISO instants compare as strings, which orders
 *   them correctly as long as they are UTC (the Clean piece normalises every timestamp to UTC).
 * - `top` narrows the matched set to the best N or p % by a numeric field (a score, usually):
 *   targeting by propensity is the point of scoring.
 * - `schemaVersion` is a literal: a breaking change bumps it and keeps the old reader.
 * - The tree is recursive, so its TypeScript type is written out and the schema is built with
 *   getters (zod 4's way to recurse; `z.toJSONSchema` emits it as a `$ref`).
 */
import { z } from 'zod';

export const SEGMENT_SCHEMA_VERSION = 1;

/** The parts of a profile a condition may read: `<root>.<path>`. */
export const SEGMENT_FIELD_ROOTS = ['traits', 'tags', 'scores', 'aggregates', 'consent', 'campaignContact'] as const;
export type SegmentFieldRoot = (typeof SEGMENT_FIELD_ROOTS)[number];

export const SEGMENT_OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'exists', 'contains'] as const;
export type SegmentOperator = (typeof SEGMENT_OPERATORS)[number];

/** `traits.country`, `scores.propensity`, `consent.email.marketing`, `aggregates.categories.Kitchen`. */
export const segmentFieldSchema = z
  .string()
  .regex(
    new RegExp(`^(${SEGMENT_FIELD_ROOTS.join('|')})\\.[^.\\s][^\\s]*$`),
    `a field is <root>.<path> with root one of ${SEGMENT_FIELD_ROOTS.join(', ')}`,
  )
  .describe('Path into the profile: traits.<path>, tags.<name>, scores.<model>, aggregates.<field>, consent.<key>, campaignContact.<field>');

export const scalarSchema = z.union([z.string(), z.number(), z.boolean()]);
export type SegmentScalar = z.infer<typeof scalarSchema>;

/** An instant relative to the evaluation time: now minus n days (n may be fractional). */
export const relativeInstantSchema = z.object({ daysAgo: z.number().min(0) }).strict();
export type RelativeInstant = z.infer<typeof relativeInstantSchema>;

const comparableSchema = z.union([z.string(), z.number(), relativeInstantSchema]);

export const leafConditionSchema = z.discriminatedUnion('op', [
  z.object({ field: segmentFieldSchema, op: z.literal('eq'), value: scalarSchema }).strict(),
  z.object({ field: segmentFieldSchema, op: z.literal('ne'), value: scalarSchema }).strict(),
  z.object({ field: segmentFieldSchema, op: z.literal('gt'), value: comparableSchema }).strict(),
  z.object({ field: segmentFieldSchema, op: z.literal('gte'), value: comparableSchema }).strict(),
  z.object({ field: segmentFieldSchema, op: z.literal('lt'), value: comparableSchema }).strict(),
  z.object({ field: segmentFieldSchema, op: z.literal('lte'), value: comparableSchema }).strict(),
  z.object({ field: segmentFieldSchema, op: z.literal('in'), value: z.array(scalarSchema).min(1).max(1000) }).strict(),
  /** `value` false asks for the field to be absent; default true. */
  z.object({ field: segmentFieldSchema, op: z.literal('exists'), value: z.boolean().default(true) }).strict(),
  /** Substring of a string, element of an array, or key of an object (aggregates.categories). */
  z.object({ field: segmentFieldSchema, op: z.literal('contains'), value: scalarSchema }).strict(),
]);
export type LeafCondition = z.infer<typeof leafConditionSchema>;

export type SegmentCondition = LeafCondition | { and: SegmentCondition[] } | { or: SegmentCondition[] } | { not: SegmentCondition };
type LeafConditionInput = z.input<typeof leafConditionSchema>;
export type SegmentConditionInput =
  | LeafConditionInput
  | { and: SegmentConditionInput[] }
  | { or: SegmentConditionInput[] }
  | { not: SegmentConditionInput };

export const conditionSchema: z.ZodType<SegmentCondition, SegmentConditionInput> = z.union([
  leafConditionSchema,
  z.object({
    get and() {
      return z.array(conditionSchema).min(1);
    },
  }).strict(),
  z.object({
    get or() {
      return z.array(conditionSchema).min(1);
    },
  }).strict(),
  z.object({
    get not() {
      return conditionSchema;
    },
  }).strict(),
]).meta({ id: 'SegmentCondition' });

/** Keep only the best `n`, or the best `percent` % of those matched, by a numeric field. */
export const segmentTopSchema = z
  .object({
    by: segmentFieldSchema.default('scores.propensity'),
    n: z.number().int().positive().optional(),
    percent: z.number().gt(0).max(100).optional(),
  })
  .strict()
  .refine((t) => (t.n === undefined) !== (t.percent === undefined), { message: 'top takes exactly one of n and percent' });
export type SegmentTop = z.infer<typeof segmentTopSchema>;

export const segmentIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, 'a segment id is 1-80 characters of A-Z a-z 0-9 - _');

export const segmentDefinitionSchema = z
  .object({
    schemaVersion: z.literal(SEGMENT_SCHEMA_VERSION),
    id: segmentIdSchema,
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    where: conditionSchema,
    top: segmentTopSchema.optional(),
  })
  .strict()
  // An id puts it once in the generated JSON Schema's $defs instead of once per channel.
  .meta({ id: 'SegmentDefinition', description: 'A versioned segment: a where tree of conditions, and an optional top N / top p % by a score' });
export type SegmentDefinition = z.infer<typeof segmentDefinitionSchema>;
/** What a caller may write: defaults (exists' value, top.by) not yet applied. */
export type SegmentDefinitionInput = z.input<typeof segmentDefinitionSchema>;
