/**
 * Scoring cost: µs per profile for each model with its explanation (exact contributions and
 * the top-three text), and for all three together as `sightline score` stores them.
 * Models are trained the way `sightline train` trains them; the profiles are the Online
 * Retail customers as of the data's end, as profile aggregates, with Bank Marketing rows as
 * their `identify` traits (so every profile gets all three scores).
 *
 *   npx tsx bench/scores/score-cost.ts --retail ../shared/datasets/online-retail.csv.gz --bank ../shared/datasets/bank-additional-full.csv.gz
 */
import { parseArgs } from 'node:util';
import { scoreProfile } from '../../functions/domain/score/score-profile.ts';
import { profileSchema, type Profile } from '../../schemas/profile.ts';
import { loadBank, loadRetail } from '../../datasets/scoring-data.ts';
import { trainScoreArtifact } from '../../cli/commands/train-scores.ts';
import { machine, writeSection } from './report.ts';
import { trainGbm } from '../../functions/domain/score/train.ts';
import { PROPENSITY_FEATURES, PROPENSITY_GBM_OPTIONS, propensityFeaturesFromBankRow } from '../../functions/domain/score/propensity.ts';

const { values } = parseArgs({ options: { retail: { type: 'string' }, bank: { type: 'string' }, rounds: { type: 'string', default: '5' } } });
if (!values.retail || !values.bank) throw new Error('--retail <online-retail.csv.gz> and --bank <bank-additional-full.csv.gz> are required');
const models = { churn: await trainScoreArtifact('churn', values.retail), clv: await trainScoreArtifact('clv', values.retail), propensity: await trainScoreArtifact('propensity', values.bank) };
// The family `train propensity` publishes is chosen by measurement (logistic on this data); the GBM is timed too.
const bankRows = await loadBank(values.bank);
const propensityGbm = trainGbm(
  { model: 'propensity', version: 'cost', trainingData: { source: values.bank, from: '2008-05-01T00:00:00.000Z', to: '2010-11-30T00:00:00.000Z', rows: bankRows.length } },
  PROPENSITY_FEATURES,
  bankRows.map(propensityFeaturesFromBankRow),
  bankRows.map((r) => (r.y === 'yes' ? 1 : 0)),
  PROPENSITY_GBM_OPTIONS,
);

const bank = await loadBank(values.bank);
const { customers } = await loadRetail(values.retail);
let end = 0;
const profiles: Profile[] = [];
let k = 0;
for (const [id, txs] of customers) {
  const orders = new Map<string, { at: number; amount: number }>();
  let returns = 0;
  for (const t of txs) {
    end = Math.max(end, t.at);
    if (t.kind === 'return') returns++;
    else orders.set(t.invoice, { at: Math.min(orders.get(t.invoice)?.at ?? t.at, t.at), amount: (orders.get(t.invoice)?.amount ?? 0) + t.amount });
  }
  if (!orders.size) continue;
  const list = [...orders.values()];
  const months: Record<string, { orders: number; revenue: number }> = {};
  for (const o of list) {
    const m = new Date(o.at).toISOString().slice(0, 7);
    months[m] = { orders: (months[m]?.orders ?? 0) + 1, revenue: (months[m]?.revenue ?? 0) + o.amount };
  }
  const b = bank[k++ % bank.length];
  profiles.push(
    profileSchema.parse({
      schemaVersion: 1, profileId: `u-${id}`, version: 1, createdAt: '2011-01-01T00:00:00.000Z', updatedAt: '2011-12-01T00:00:00.000Z', identities: { userIds: [id] },
      traits: { age: Number(b.age), job: b.job, marital: b.marital, education: b.education, housing_loan: b.housing, personal_loan: b.loan, contact: b.contact, campaign_contacts: Number(b.campaign), previous_contacts: Number(b.previous), previous_outcome: b.poutcome },
      aggregates: {
        orders: list.length, revenue: list.reduce((s, o) => s + o.amount, 0), returns, months,
        firstOrderAt: new Date(Math.min(...list.map((o) => o.at))).toISOString(), lastOrderAt: new Date(Math.max(...list.map((o) => o.at))).toISOString(),
      },
    }),
  );
}
const asOf = new Date(end + 86_400_000);
const time = (ms: (typeof models)[keyof typeof models][]) => {
  let best = Infinity;
  for (let r = 0; r < Number(values.rounds); r++) {
    const t = performance.now();
    for (const p of profiles) scoreProfile(p, ms, asOf);
    best = Math.min(best, ((performance.now() - t) * 1000) / profiles.length);
  }
  return best;
};
const rows = [
  [`propensity (${models.propensity.family}: the family \`train propensity\` publishes)`, time([models.propensity])],
  ['propensity (GBM, 500 trees, exact tree contributions)', time([propensityGbm])],
  ['churn (logistic)', time([models.churn])],
  ['lifetime value (BG/NBD + Gamma-Gamma, exact Shapley over 4 inputs)', time([models.clv])],
  ['all three, as `sightline score` stores them', time([models.propensity, models.churn, models.clv])],
] as const;
const md = `## Scoring cost

Command: \`npx tsx bench/scores/score-cost.ts --retail ${values.retail} --bank ${values.bank}\`
Machine: ${machine()}
${profiles.length.toLocaleString('en-GB')} profiles (Online Retail customers as of ${asOf.toISOString().slice(0, 10)}, Bank Marketing rows as their traits); single thread, in process; best of ${values.rounds} passes. Each score includes its contributions and the top-three explanation text.

| model | µs per profile |
|---|---|
${rows.map(([m, us]) => `| ${m} | ${us.toFixed(1)} |`).join('\n')}
`;
writeSection('cost', md);
console.log(md);
