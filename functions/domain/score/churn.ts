/**
 * Churn risk: P(no purchase in the next 90 days), from per-customer aggregates of purchase
 * history as of a cut-off.
 *
 * Design:
 * - The features are the ones a profile already keeps or can keep cheaply (profile
 *   aggregates: orders, revenue, first/last order, months, returns), so the same function
 *   serves training from a transaction log and scoring from a profile.
 * - An order is an invoice; a return is a cancellation invoice (counted, never a purchase).
 * - Times are epoch milliseconds; windows are [cut-off − n days, cut-off). Day counts are
 *   fractional days truncated to whole days, which is what a marketer reads.
 * - The baseline (family `recency`) scores by days since the last purchase alone: the
 *   classic "lapsed" rule, which a model must clearly beat to be worth its keep.
 */
import type { FeatureDeclaration, RawFeatures } from './features.ts';

export const CHURN_FEATURES: FeatureDeclaration[] = [
  { name: 'recency_days', kind: 'numeric', label: 'days since last purchase', unit: 'days' },
  { name: 'frequency', kind: 'numeric', label: 'orders', transform: 'log1p' },
  { name: 'monetary', kind: 'numeric', label: 'total spend', transform: 'log1p' },
  { name: 'tenure_days', kind: 'numeric', label: 'days since first purchase', unit: 'days' },
  { name: 'orders_90d', kind: 'numeric', label: 'orders in the last 90 days', transform: 'log1p' },
  { name: 'orders_180d', kind: 'numeric', label: 'orders in the last 180 days', transform: 'log1p' },
  { name: 'avg_basket', kind: 'numeric', label: 'average order value', transform: 'log1p' },
  { name: 'returns', kind: 'numeric', label: 'returns', transform: 'log1p' },
  { name: 'distinct_months', kind: 'numeric', label: 'months with a purchase' },
];

export interface CustomerTransaction {
  invoice: string;
  /** epoch ms */
  at: number;
  /** Value of the line or invoice (positive for purchases; returns are not summed). */
  amount: number;
  kind: 'purchase' | 'return';
}

const DAY = 86_400_000;

/** Churn features of one customer from transactions strictly before `cutOff`; undefined without a purchase. */
export function churnFeatures(transactions: CustomerTransaction[], cutOff: number): RawFeatures | undefined {
  const orders = new Map<string, { at: number; amount: number }>();
  const returns = new Set<string>();
  for (const t of transactions) {
    if (t.at >= cutOff) continue;
    if (t.kind === 'return') {
      returns.add(t.invoice);
      continue;
    }
    const o = orders.get(t.invoice);
    if (o) {
      o.amount += t.amount;
      o.at = Math.min(o.at, t.at);
    } else {
      orders.set(t.invoice, { at: t.at, amount: t.amount });
    }
  }
  if (orders.size === 0) return undefined;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let monetary = 0;
  let in90 = 0;
  let in180 = 0;
  const months = new Set<string>();
  for (const o of orders.values()) {
    first = Math.min(first, o.at);
    last = Math.max(last, o.at);
    monetary += o.amount;
    if (o.at >= cutOff - 90 * DAY) in90++;
    if (o.at >= cutOff - 180 * DAY) in180++;
    months.add(new Date(o.at).toISOString().slice(0, 7));
  }
  return {
    recency_days: Math.floor((cutOff - last) / DAY),
    frequency: orders.size,
    monetary: Math.round(monetary * 100) / 100,
    tenure_days: Math.floor((cutOff - first) / DAY),
    orders_90d: in90,
    orders_180d: in180,
    avg_basket: Math.round((monetary / orders.size) * 100) / 100,
    returns: returns.size,
    distinct_months: months.size,
  };
}

/** 1 if the customer made no purchase in [cutOff, cutOff + horizonDays), else 0. */
export function churnLabel(transactions: CustomerTransaction[], cutOff: number, horizonDays = 90): 0 | 1 {
  const end = cutOff + horizonDays * DAY;
  return transactions.some((t) => t.kind === 'purchase' && t.at >= cutOff && t.at < end) ? 0 : 1;
}

/** Features as of `cutOff` and the label after it, for every customer who had bought before it. */
export function churnExamples(customers: Iterable<CustomerTransaction[]>, cutOff: number, horizonDays = 90): { rows: RawFeatures[]; labels: (0 | 1)[] } {
  const rows: RawFeatures[] = [];
  const labels: (0 | 1)[] = [];
  for (const txs of customers) {
    const f = churnFeatures(txs, cutOff);
    if (!f) continue;
    rows.push(f);
    labels.push(churnLabel(txs, cutOff, horizonDays));
  }
  return { rows, labels };
}
