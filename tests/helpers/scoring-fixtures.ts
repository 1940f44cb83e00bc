/** Small trained scoring models and a profile builder, shared by scoring tests. */
import { CHURN_FEATURES } from '../../functions/domain/score/churn.ts';
import { seededRandom } from '../../functions/domain/shared/random.ts';
import { trainClv, trainLogistic } from '../../functions/domain/score/train.ts';
import { profileSchema, type Profile } from '../../schemas/profile.ts';

const meta = (model: string) => ({ model, version: `${model}-v1`, trainingData: { source: 'fixture', from: '2011-01-01T00:00:00.000Z', to: '2011-12-01T00:00:00.000Z', rows: 200 } });
const random = seededRandom(3);
export const churnRows = Array.from({ length: 200 }, () => ({ recency_days: Math.floor(random() * 300), frequency: 1 + Math.floor(random() * 10), monetary: 50 + random() * 500, tenure_days: 300, orders_90d: Math.floor(random() * 3), orders_180d: Math.floor(random() * 5), avg_basket: 40, returns: 0, distinct_months: 1 + Math.floor(random() * 8) }));
export const churnModel = trainLogistic(meta('churn'), CHURN_FEATURES, churnRows, churnRows.map((r) => (r.recency_days > 150 ? 1 : 0)));
export const clvModel = trainClv(meta('clv'), Array.from({ length: 200 }, (_, i) => ({ x: i % 7, tx: (i % 7) * 30, T: 300, m: 20 + (i % 5) * 10 })), 365);

/** A buyer with orders in the given months (YYYY-MM → orders, £50 each). */
export function buyer(profileId: string, months: Record<string, number>, extra: Partial<Profile> = {}): Profile {
  const keys = Object.keys(months).sort();
  const orders = Object.values(months).reduce((s, n) => s + n, 0);
  return profileSchema.parse({
    schemaVersion: 1,
    profileId,
    version: 1,
    createdAt: `${keys[0]}-01T00:00:00.000Z`,
    updatedAt: `${keys.at(-1)}-20T00:00:00.000Z`,
    identities: { userIds: [profileId.slice(2)] },
    aggregates: {
      orders,
      revenue: orders * 50,
      firstOrderAt: `${keys[0]}-10T00:00:00.000Z`,
      lastOrderAt: `${keys.at(-1)}-20T00:00:00.000Z`,
      months: Object.fromEntries(keys.map((k) => [k, { orders: months[k], revenue: months[k] * 50 }])),
    },
    tagsAsOf: '2011-12-01T00:00:00.000Z',
    // Scoring needs profiling consent (functions/domain/score/keep-scores.ts); a v1 flat map grants it.
    consent: { profiling: true },
    ...extra,
  });
}
