/**
 * Dynamic tags: metrics derived from a profile's aggregates, and the evaluator of the
 * declarative rule sets in schemas/tag-rules.ts.
 *
 * Design:
 * - Tags are a pure function of (aggregates, asOf, rule set): re-evaluating later with a
 *   later `asOf` ages recency without any new event (a scheduled re-tag can do exactly that).
 * - Rules run in order; numeric tags become metrics for later rules (rfm_r feeds rfm_segment).
 * - Breakpoints are absolute, not population quantiles: a profile's tags must not change
 *   because someone else bought something. They are versioned with the rule set; the
 *   defaults below suit a shop like the UCI Online Retail one (GBP, gifts, B2B-ish baskets).
 */
import type { Aggregates, Tags } from '../../../schemas/profile.ts';
import { ruleSetSchema, type Condition, type RuleSet } from '../../../schemas/tag-rules.ts';

const DAY = 86_400_000;

export type Metrics = Record<string, number>;

function monthIndex(key: string): number {
  const [y, m] = key.split('-').map(Number);
  return y * 12 + (m - 1);
}

/** Longest run of consecutive calendar months with an order, among months ending within `windowMonths` of asOf. */
export function longestMonthlyStreak(months: Aggregates['months'], asOf: Date, windowMonths = 12): number {
  const now = asOf.getUTCFullYear() * 12 + asOf.getUTCMonth();
  const idx = Object.entries(months)
    .filter(([, s]) => s.orders > 0)
    .map(([k]) => monthIndex(k))
    .filter((i) => i <= now && i > now - windowMonths)
    .sort((a, b) => a - b);
  let best = 0;
  let run = 0;
  for (let i = 0; i < idx.length; i++) {
    run = i > 0 && idx[i] === idx[i - 1] + 1 ? run + 1 : 1;
    best = Math.max(best, run);
  }
  return best;
}

function ordersWithin(months: Aggregates['months'], asOf: Date, windowMonths: number): number {
  const now = asOf.getUTCFullYear() * 12 + asOf.getUTCMonth();
  return Object.entries(months)
    .filter(([k]) => {
      const i = monthIndex(k);
      return i <= now && i > now - windowMonths;
    })
    .reduce((s, [, v]) => s + v.orders, 0);
}

const days = (from: string | undefined, asOf: Date) =>
  from === undefined ? -1 : Math.max(0, Math.floor((asOf.getTime() - Date.parse(from)) / DAY));

/** Metrics available to rules. -1 means "never" for day counts. */
export function metricsOf(a: Aggregates, asOf: Date): Metrics {
  const orders = a.orders;
  return {
    events: a.events,
    orders,
    revenue: a.revenue,
    items: a.items,
    returns: a.returns,
    recency_days: days(a.lastOrderAt, asOf),
    seen_days: days(a.lastSeen, asOf),
    first_seen_days: days(a.firstSeen, asOf),
    first_order_days: days(a.firstOrderAt, asOf),
    avg_order_value: orders > 0 ? a.revenue / orders : 0,
    avg_item_price: a.items > 0 ? a.revenue / a.items : 0,
    return_rate: orders > 0 ? a.returns / orders : 0,
    returned_value_share: a.revenue > 0 ? a.returnedValue / a.revenue : 0,
    discount_share: orders > 0 ? a.discountedOrders / orders : 0,
    monthly_streak_12m: longestMonthlyStreak(a.months, asOf, 12),
    orders_90d: ordersWithin(a.months, asOf, 3),
    orders_365d: ordersWithin(a.months, asOf, 12),
  };
}

export function holds(c: Condition, m: Metrics): boolean {
  if ('all' in c) return c.all.every((x) => holds(x, m));
  if ('any' in c) return c.any.some((x) => holds(x, m));
  if ('not' in c) return !holds(c.not, m);
  const v = m[c.metric];
  if (v === undefined) throw new Error(`unknown metric "${c.metric}" in tag rule`);
  switch (c.op) {
    case 'lt':
      return v < c.value;
    case 'lte':
      return v <= c.value;
    case 'gt':
      return v > c.value;
    case 'gte':
      return v >= c.value;
    case 'eq':
      return v === c.value;
    case 'between':
      return v >= c.value[0] && v <= c.value[1];
  }
}

export function evaluateTags(a: Aggregates, asOf: Date, ruleSet: RuleSet): Tags {
  const m = metricsOf(a, asOf);
  const tags: Tags = {};
  for (const rule of ruleSet.rules) {
    if (rule.kind === 'flag') {
      if (holds(rule.when, m)) tags[rule.tag] = true;
    } else if (rule.kind === 'bucket') {
      const hit = rule.buckets.find((b) => holds(b.when, m));
      const value = hit ? hit.value : rule.otherwise;
      if (value !== undefined) tags[rule.tag] = value;
      // Numeric tags feed later rules; "no score" reads as 0 so those rules stay defined.
      if (typeof value === 'number') m[rule.tag] = value;
      else if (value === undefined && typeof rule.buckets[0].value === 'number') m[rule.tag] = 0;
    } else {
      const top = Object.entries(a[rule.of]).sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))[0];
      if (top && top[1] >= rule.min) tags[rule.tag] = top[0];
    }
  }
  return tags;
}

const buyer = { metric: 'orders', op: 'gte', value: 1 } as const;
/** Scores 5…2 for the first threshold the metric meets, 1 for any other buyer; none without orders. */
function scoreBuckets(metric: string, op: 'lte' | 'gte', thresholds: [number, number, number, number]) {
  return [
    ...thresholds.map((value, i) => ({ value: 5 - i, when: { all: [buyer, { metric, op, value }] } })),
    { value: 1, when: buyer },
  ];
}
const r = (lo: number, hi: number): Condition => ({ metric: 'rfm_r', op: 'between', value: [lo, hi] });
const fm = (lo: number, hi: number): Condition => ({ metric: 'rfm_fm', op: 'between', value: [lo, hi] });

/**
 * Rule set v1. RFM segment names follow the common 11-segment R × FM grid
 * (Champions … Lost); FM is the rounded-down mean of F and M.
 */
export const RULE_SET_V1: RuleSet = ruleSetSchema.parse({
  id: 'default',
  version: 1,
  rules: [
    { kind: 'bucket', tag: 'rfm_r', description: 'Recency score 1–5: days since the last order', buckets: scoreBuckets('recency_days', 'lte', [30, 60, 120, 240]) },
    { kind: 'bucket', tag: 'rfm_f', description: 'Frequency score 1–5: orders', buckets: scoreBuckets('orders', 'gte', [10, 5, 3, 2]) },
    { kind: 'bucket', tag: 'rfm_m', description: 'Monetary score 1–5: revenue (shop currency)', buckets: scoreBuckets('revenue', 'gte', [2000, 700, 300, 100]) },
    {
      kind: 'bucket',
      tag: 'rfm_fm',
      description: 'FM score: floor((F + M) / 2)',
      buckets: [5, 4, 3, 2, 1].map((v) => ({
        value: v,
        when: {
          any: [1, 2, 3, 4, 5].flatMap((f) =>
            [1, 2, 3, 4, 5]
              .filter((mm) => Math.floor((f + mm) / 2) === v)
              .map((mm) => ({ all: [{ metric: 'rfm_f', op: 'eq', value: f }, { metric: 'rfm_m', op: 'eq', value: mm }] })),
          ),
        },
      })),
    },
    {
      kind: 'bucket',
      tag: 'rfm_segment',
      description: 'Named RFM segment (first match wins)',
      buckets: [
        { value: 'champions', when: { all: [r(4, 5), fm(4, 5)] } },
        { value: 'loyal_customers', when: { all: [r(3, 5), fm(3, 5)] } },
        { value: 'new_customers', when: { all: [r(5, 5), { metric: 'rfm_f', op: 'eq', value: 1 }] } },
        { value: 'promising', when: { all: [r(4, 4), { metric: 'rfm_f', op: 'eq', value: 1 }] } },
        { value: 'potential_loyalists', when: { all: [r(4, 5), fm(1, 3)] } },
        { value: 'need_attention', when: { all: [r(3, 3), fm(2, 3)] } },
        { value: 'cant_lose_them', when: { all: [r(1, 1), fm(4, 5)] } },
        { value: 'at_risk', when: { all: [r(1, 2), fm(3, 5)] } },
        { value: 'about_to_sleep', when: { all: [r(2, 3), fm(1, 2)] } },
        { value: 'hibernating', when: { all: [r(1, 2), fm(2, 2)] } },
        { value: 'lost', when: r(1, 1) },
      ],
    },
    {
      kind: 'bucket',
      tag: 'lifecycle',
      description: 'Lifecycle stage: new, active, at_risk, lapsed (prospect before a first order)',
      buckets: [
        { value: 'new', when: { all: [buyer, { metric: 'first_order_days', op: 'lte', value: 30 }] } },
        { value: 'active', when: { all: [buyer, { metric: 'recency_days', op: 'lte', value: 90 }] } },
        { value: 'at_risk', when: { all: [buyer, { metric: 'recency_days', op: 'lte', value: 180 }] } },
        { value: 'lapsed', when: buyer },
      ],
      otherwise: 'prospect',
    },
    {
      kind: 'flag',
      tag: 'loyal',
      description: 'Bought in three consecutive calendar months within the last 12',
      when: { metric: 'monthly_streak_12m', op: 'gte', value: 3 },
    },
    { kind: 'flag', tag: 'one_time_buyer', description: 'Exactly one order, more than 30 days ago', when: { all: [{ metric: 'orders', op: 'eq', value: 1 }, { metric: 'recency_days', op: 'gt', value: 30 }] } },
    { kind: 'flag', tag: 'high_value', description: 'Revenue of 2,000 or more, or an average order of 500 or more over at least 2 orders', when: { any: [{ metric: 'revenue', op: 'gte', value: 2000 }, { all: [{ metric: 'orders', op: 'gte', value: 2 }, { metric: 'avg_order_value', op: 'gte', value: 500 }] }] } },
    { kind: 'flag', tag: 'returns_heavy', description: 'Returns on at least 30% of orders (at least 2 returns), or 25% of revenue returned', when: { any: [{ all: [{ metric: 'returns', op: 'gte', value: 2 }, { metric: 'return_rate', op: 'gte', value: 0.3 }] }, { all: [buyer, { metric: 'returned_value_share', op: 'gte', value: 0.25 }] }] } },
    {
      kind: 'bucket',
      tag: 'price_sensitivity',
      description: 'high: most orders discounted or cheap items; medium: some; low: otherwise',
      buckets: [
        { value: 'high', when: { all: [buyer, { any: [{ metric: 'discount_share', op: 'gte', value: 0.5 }, { metric: 'avg_item_price', op: 'lt', value: 1.5 }] }] } },
        { value: 'medium', when: { all: [buyer, { any: [{ metric: 'discount_share', op: 'gte', value: 0.2 }, { metric: 'avg_item_price', op: 'lt', value: 3 }] }] } },
        { value: 'low', when: buyer },
      ],
    },
    { kind: 'argmax', tag: 'top_category', description: 'Category with the most items bought', of: 'categories', min: 1 },
    { kind: 'argmax', tag: 'preferred_channel', description: 'Channel with the most events', of: 'channels', min: 3 },
  ],
});

export const RULE_SET_ID = `${RULE_SET_V1.id}@v${RULE_SET_V1.version}`;

/**
 * Tags another job assigns (not a rule set): `cluster` from `sightline segment cluster`. Rule
 * evaluation rewrites the whole tag map, so these are carried over from the stored profile.
 */
export const ASSIGNED_TAGS = ['cluster'] as const;

export function withAssignedTags(current: Readonly<Tags>, evaluated: Tags): Tags {
  const kept = ASSIGNED_TAGS.filter((t) => t in current && !(t in evaluated));
  return kept.length ? { ...evaluated, ...Object.fromEntries(kept.map((t) => [t, current[t]])) } : evaluated;
}
