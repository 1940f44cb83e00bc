/**
 * k-anonymity in reporting: a rate about a group smaller than k people is never shown, only
 * its counts (a 1-in-3 "conversion rate" names what three people did). Every rate the admin
 * API returns goes through `guardedRate`, so the dashboard cannot show one by mistake.
 */
import type { GuardedRate } from '../../../schemas/api/admin.ts';

/** The default k (the campaign results issue's default). */
export const DEFAULT_K = 10;

export function guardedRate(count: number, of: number, k = DEFAULT_K): GuardedRate {
  const suppressed = of < k;
  return { count, of, rate: suppressed || of === 0 ? null : count / of, suppressed };
}

/** A distribution (value → count), largest first, each share k-guarded against the total. */
export function distribution(counts: Map<string, number>, total: number, k = DEFAULT_K) {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([value, count]) => ({ value, count, share: guardedRate(count, total, k) }))
    .map((d) => (d.count < k ? { ...d, share: { ...d.share, rate: null, suppressed: true } } : d));
}
