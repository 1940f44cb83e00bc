/**
 * Declarative tag rules. A rule set is data: versioned, reviewable in a pull request,
 * and testable without a deployment. The evaluator is functions/domain/tag/tags.ts.
 *
 * Conditions read metrics derived from a profile's aggregates (see METRICS in
 * functions/domain/tag/tags.ts) and the numeric values of tags evaluated earlier in the set.
 */
import { z } from 'zod';

export type Condition =
  | { metric: string; op: 'lt' | 'lte' | 'gt' | 'gte' | 'eq'; value: number }
  | { metric: string; op: 'between'; value: [number, number] }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ metric: z.string(), op: z.enum(['lt', 'lte', 'gt', 'gte', 'eq']), value: z.number() }),
    z.object({ metric: z.string(), op: z.literal('between'), value: z.tuple([z.number(), z.number()]) }),
    z.object({ all: z.array(conditionSchema) }),
    z.object({ any: z.array(conditionSchema) }),
    z.object({ not: conditionSchema }),
  ]),
);

export const tagRuleSchema = z.discriminatedUnion('kind', [
  /** true when `when` holds, absent otherwise. */
  z.object({ kind: z.literal('flag'), tag: z.string(), description: z.string(), when: conditionSchema }),
  /** the first bucket whose `when` holds; `otherwise` (or absent) when none does. */
  z.object({
    kind: z.literal('bucket'),
    tag: z.string(),
    description: z.string(),
    buckets: z.array(z.object({ value: z.union([z.string(), z.number()]), when: conditionSchema })).min(1),
    otherwise: z.union([z.string(), z.number()]).optional(),
  }),
  /** the key with the largest count in an aggregate map (categories, channels), if it has at least `min`. */
  z.object({
    kind: z.literal('argmax'),
    tag: z.string(),
    description: z.string(),
    of: z.enum(['categories', 'channels']),
    min: z.number().default(1),
  }),
]);
export type TagRule = z.infer<typeof tagRuleSchema>;

export const ruleSetSchema = z.object({
  id: z.string(),
  version: z.number().int().positive(),
  rules: z.array(tagRuleSchema),
});
export type RuleSet = z.infer<typeof ruleSetSchema>;
