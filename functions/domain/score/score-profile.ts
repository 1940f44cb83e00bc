/**
 * Scores a profile with the current models, from what the profile already keeps (its
 * aggregates and traits), as of an instant — so recency-driven scores can be refreshed
 * without new events (the scheduled full re-scoring).
 *
 * - churn and clv read the purchase aggregates Tag maintains; orders in the last 90/180 days
 *   are counted from the per-month statistics (whole months whose first day is in the
 *   window): an approximation of the training features, which count orders by day.
 * - propensity reads who the person is from `identify` traits (age, job, marital, …) and the
 *   context of their latest campaign contact; a profile without an `age` trait is not scored
 *   for it (its features would mostly be fills).
 * - Every stored score keeps its contributions and the top three as readable text.
 * - Every number stored is one DynamoDB can hold (schemas/profile.ts isStorableNumber): a
 *   probability of 1e-140 is stored as 0 (DynamoDB's "Number underflow" below 1e-130), a
 *   magnitude past 2^53 saturates, and a model whose value is not finite for a profile
 *   leaves that profile's previous score in place rather than failing the whole write.
 */
import { toStorableNumber, type Aggregates, type CampaignContact, type Profile, type StoredScore } from '../../../schemas/profile.ts';
import type { ModelArtifact } from './artifact.ts';
import { statsFromFeatures } from './clv.ts';
import type { RawFeatures } from './features.ts';
import { pdaysBand } from './propensity.ts';
import { explainTop, score } from './score.ts';

const DAY = 86_400_000;

export function churnFeaturesFromProfile(a: Aggregates, asOf: number): RawFeatures | undefined {
  if (!a.orders || !a.lastOrderAt || !a.firstOrderAt) return undefined;
  const monthsBack = (days: number) =>
    Object.entries(a.months)
      .filter(([m]) => Date.parse(`${m}-01T00:00:00Z`) >= asOf - days * DAY)
      .reduce((s, [, v]) => s + v.orders, 0);
  return {
    recency_days: Math.max(0, Math.floor((asOf - Date.parse(a.lastOrderAt)) / DAY)),
    frequency: a.orders,
    monetary: Math.round(a.revenue * 100) / 100,
    tenure_days: Math.max(0, Math.floor((asOf - Date.parse(a.firstOrderAt)) / DAY)),
    orders_90d: monthsBack(90),
    orders_180d: monthsBack(180),
    avg_basket: Math.round((a.revenue / a.orders) * 100) / 100,
    returns: a.returns,
    distinct_months: Object.values(a.months).filter((m) => m.orders > 0).length,
  };
}

export function clvFeaturesFromProfile(a: Aggregates, asOf: number): RawFeatures | undefined {
  if (!a.orders || !a.lastOrderAt || !a.firstOrderAt) return undefined;
  const tenure = Math.max(0, (asOf - Date.parse(a.firstOrderAt)) / DAY);
  // The model counts purchase days (clv.ts clvSummary: several orders on one day are one
  // occasion), so repeat purchases are at most the calendar days from the first order to the
  // last: 900 orders in a minute are one occasion, not 899 repeats (which overflowed BG/NBD).
  const days = Math.max(0, Math.floor(Date.parse(a.lastOrderAt) / DAY) - Math.floor(Date.parse(a.firstOrderAt) / DAY));
  const f = { repeat_purchases: Math.min(a.orders - 1, days), recency_days: Math.max(0, (asOf - Date.parse(a.lastOrderAt)) / DAY), tenure_days: tenure, avg_repeat_spend: a.revenue / a.orders };
  statsFromFeatures(f); // the model's own validity rules (tₓ within [0, T])
  return f;
}

/**
 * Propensity features of a person: who they are (identify traits) and the context of their
 * latest campaign contact (track "Campaign Contacted"), falling back to traits of the same
 * name for apps that send the context as traits.
 */
export function propensityFeaturesFromProfile(traits: Record<string, unknown>, contact?: CampaignContact): RawFeatures | undefined {
  if (typeof traits.age !== 'number') return undefined;
  const c = contact?.context ?? {};
  const t = (k: string, ...fallbacks: string[]) => {
    for (const key of [k, ...fallbacks]) {
      const v = c[key] ?? traits[key];
      if (typeof v === 'string' || typeof v === 'number') return v;
    }
    return undefined;
  };
  const pdays = t('days_since_previous');
  return {
    age: traits.age,
    job: t('job'),
    marital: t('marital'),
    education: t('education'),
    credit_default: t('credit_default'),
    housing_loan: t('housing_loan'),
    personal_loan: t('personal_loan'),
    contact: contact?.channel ?? t('contact'),
    month: t('month', 'last_contact_month'),
    day_of_week: t('day_of_week', 'last_contact_day'),
    campaign_contacts: t('campaign_contacts'),
    previous_contacts: t('previous_contacts'),
    days_since_previous: typeof pdays === 'number' ? pdaysBand(pdays) : pdays,
    previous_outcome: t('previous_outcome'),
    emp_var_rate: t('emp_var_rate'),
    cons_price_idx: t('cons_price_idx'),
    cons_conf_idx: t('cons_conf_idx'),
    euribor_3m: t('euribor_3m'),
    employed: t('employed'),
  };
}

/** Each model's raw features from a stored profile (undefined: the model does not apply to it). */
export const featuresFor: Record<string, (p: Profile, asOf: number) => RawFeatures | undefined> = {
  churn: (p, asOf) => churnFeaturesFromProfile(p.aggregates, asOf),
  clv: (p, asOf) => clvFeaturesFromProfile(p.aggregates, asOf),
  propensity: (p) => propensityFeaturesFromProfile(p.traits, p.campaignContact),
};

/** The profile's scores by every model given that applies to it (others are left as they were). */
export function scoreProfile(profile: Profile, models: ModelArtifact[], asOf: Date): Record<string, StoredScore> {
  const out: Record<string, StoredScore> = { ...profile.scores };
  for (const model of models) {
    const raw = featuresFor[model.model]?.(profile, asOf.getTime());
    if (!raw) continue;
    const r = score(model, raw);
    const value = r.probability ?? r.value;
    if (!Number.isFinite(value) || !Number.isFinite(r.base) || r.contributions.some((c) => !Number.isFinite(c.contribution))) continue;
    const stored = (v: number | string) => (typeof v === 'number' ? toStorableNumber(v) : v);
    out[model.model] = {
      value: toStorableNumber(value),
      output: r.probability !== undefined ? 'probability' : model.output === 'days' ? 'days' : 'amount',
      base: toStorableNumber(r.base),
      contributions: r.contributions.map((c) => ({ feature: c.feature, value: stored(c.value), contribution: toStorableNumber(c.contribution) })),
      explanation: explainTop(r),
      model: model.model,
      version: model.version,
      at: asOf.toISOString(),
    };
  }
  return out;
}
