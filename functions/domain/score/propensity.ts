/**
 * Response propensity: the features of a campaign contact, declared once for training and
 * scoring, and the mapping from a UCI Bank Marketing row (bank-additional-full) to them.
 *
 * - `duration` (the call's length) is never a feature: it is known only after the call, so
 *   a model using it could not be applied before one (Moro et al. 2014 drop it too).
 * - `pdays` (days since the client was last contacted in a previous campaign; 999 = never)
 *   becomes a band: 999 is a code, not a number of days, and a linear model would read it
 *   as "very long ago". The bands follow the data's own clusters (3 and 6 days are common).
 * - The five economic indicators (employment variation rate, consumer price and confidence
 *   indices, 3-month Euribor, number employed) describe the month of the call, not the
 *   person; they carry most of the signal in this data set (the campaign's success moved
 *   with the economy), which a deployment must keep current.
 * - Names are snake_case so they read in explanations and fit the artifact's name rule.
 */
import type { FeatureDeclaration, RawFeatures } from './features.ts';
import type { GbmOptions } from './gbm.ts';

/**
 * The GBM settings the evaluation chose (bench/scores/eval-propensity.ts --tune): shallow
 * trees, a slow learning rate and large leaves; the grid's other settings were within
 * ±0.003 ROC AUC, and depth 3 keeps TreeSHAP cheap at scoring time.
 */
export const PROPENSITY_GBM_OPTIONS: Required<Pick<GbmOptions, 'trees' | 'maxDepth' | 'learningRate' | 'minLeaf' | 'subsample' | 'lambda' | 'bins' | 'seed'>> = {
  trees: 500,
  maxDepth: 3,
  learningRate: 0.03,
  minLeaf: 200,
  subsample: 0.8,
  lambda: 1,
  bins: 64,
  seed: 7,
};

export const PROPENSITY_FEATURES: FeatureDeclaration[] = [
  { name: 'age', kind: 'numeric', label: 'age', unit: 'years' },
  { name: 'job', kind: 'categorical', label: 'job' },
  { name: 'marital', kind: 'categorical', label: 'marital status' },
  { name: 'education', kind: 'categorical', label: 'education' },
  { name: 'credit_default', kind: 'categorical', label: 'credit in default' },
  { name: 'housing_loan', kind: 'categorical', label: 'housing loan' },
  { name: 'personal_loan', kind: 'categorical', label: 'personal loan' },
  { name: 'contact', kind: 'categorical', label: 'contact channel' },
  { name: 'month', kind: 'categorical', label: 'contact month' },
  { name: 'day_of_week', kind: 'categorical', label: 'contact weekday' },
  { name: 'campaign_contacts', kind: 'numeric', label: 'contacts in this campaign', transform: 'log1p' },
  { name: 'previous_contacts', kind: 'numeric', label: 'contacts before this campaign', transform: 'log1p' },
  { name: 'days_since_previous', kind: 'categorical', label: 'days since previous campaign contact' },
  { name: 'previous_outcome', kind: 'categorical', label: 'previous campaign outcome' },
  { name: 'emp_var_rate', kind: 'numeric', label: 'employment variation rate' },
  { name: 'cons_price_idx', kind: 'numeric', label: 'consumer price index' },
  { name: 'cons_conf_idx', kind: 'numeric', label: 'consumer confidence index' },
  { name: 'euribor_3m', kind: 'numeric', label: '3-month Euribor', unit: '%' },
  { name: 'employed', kind: 'numeric', label: 'employed (thousands)' },
];

/** 999 → "never"; otherwise a band of days. */
export function pdaysBand(pdays: number): string {
  if (!Number.isFinite(pdays) || pdays >= 999) return 'never';
  if (pdays <= 3) return '0-3';
  if (pdays <= 6) return '4-6';
  return '7+';
}

/** A bank-additional-full row (header names as in the file) → propensity features. */
export function propensityFeaturesFromBankRow(row: Record<string, string>): RawFeatures {
  return {
    age: Number(row.age),
    job: row.job,
    marital: row.marital,
    education: row.education,
    credit_default: row.default,
    housing_loan: row.housing,
    personal_loan: row.loan,
    contact: row.contact,
    month: row.month,
    day_of_week: row.day_of_week,
    campaign_contacts: Number(row.campaign),
    previous_contacts: Number(row.previous),
    days_since_previous: pdaysBand(Number(row.pdays)),
    previous_outcome: row.poutcome,
    emp_var_rate: Number(row['emp.var.rate']),
    cons_price_idx: Number(row['cons.price.idx']),
    cons_conf_idx: Number(row['cons.conf.idx']),
    euribor_3m: Number(row.euribor3m),
    employed: Number(row['nr.employed']) / 1000,
  };
}
