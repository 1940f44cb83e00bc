/**
 * `sightline fairness propensity --data <bank file>`: reads Bank Marketing and runs the
 * fairness protocol (functions/domain/score/fairness-protocol.ts); the formatter below
 * prints its tables (the same Markdown the results file holds).
 */
import type { FairnessAttribute, FairnessAudit } from '../../functions/domain/score/fairness.ts';
import { sigmoid } from '../../functions/domain/score/math.ts';
import type { FairnessReport } from '../../functions/domain/score/metrics.ts';
import {
  CV_SEED,
  FAMILY_NAME,
  FOLDS,
  MIN_GROUP,
  evaluateFairness,
  type FairnessEvaluation,
  type FairnessResult,
  type PropensityFamily,
  type ProtocolResult,
} from '../../functions/domain/score/fairness-protocol.ts';
import { loadBank } from '../../datasets/scoring-data.ts';

export async function fairnessCommand(opts: { data: string; attribute?: string[]; fraction?: number; family?: PropensityFamily; progress?: (m: string) => void }): Promise<FairnessResult> {
  opts.progress?.('reading Bank Marketing');
  return evaluateFairness(await loadBank(opts.data), opts);
}

// ---- formatting -------------------------------------------------------------------------

const f3 = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : '—');
const f4 = (n: number) => (Number.isFinite(n) ? n.toFixed(4) : '—');
const pct = (n: number) => (Number.isFinite(n) ? `${(100 * n).toFixed(1)} %` : '—');
const table = (header: string[], rows: string[][]) => [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

const LABELS: Record<FairnessAttribute, string> = { age_band: 'age band', marital: 'marital status', education: 'education' };

/** max − min over groups with at least MIN_GROUP rows (NaN TPRs left out). */
function spreadsOfLarge(r: FairnessReport): { dp: number; eo: number } {
  const large = r.groups.filter((g) => g.n >= MIN_GROUP);
  const spread = (xs: number[]) => (xs.length ? Math.max(...xs) - Math.min(...xs) : Number.NaN);
  return { dp: spread(large.map((g) => g.selectionRate)), eo: spread(large.map((g) => g.truePositiveRate).filter((t) => !Number.isNaN(t))) };
}

/** One summary table per protocol: a column per variant, rows for AUC, selection and each attribute's spreads. */
function summary(p: ProtocolResult, attributes: FairnessAttribute[], fraction: number, family: PropensityFamily): string {
  const byAttr = (e: FairnessEvaluation, a: FairnessAttribute) => e.audit.attributes.find((x) => x.attribute === a)!;
  const columns: { name: string; auc: number; quality: FairnessAudit['quality']; reports: Record<string, FairnessReport> }[] = [
    { name: `${FAMILY_NAME[family]}, top ${pct(fraction)}`, auc: p.all.auc, quality: p.all.audit.quality, reports: Object.fromEntries(p.all.audit.attributes.map((a) => [a.attribute, a.before])) },
    ...attributes.map((a) => {
      const m = byAttr(p.all, a);
      return { name: `${a === 'age_band' ? '(a) ' : ''}thresholds by ${LABELS[a]}`, auc: p.all.auc, quality: m.quality, reports: m.afterByAttribute };
    }),
    { name: `(b) ${FAMILY_NAME[family]} without age, top ${pct(fraction)}`, auc: p.withoutAge.auc, quality: p.withoutAge.audit.quality, reports: Object.fromEntries(p.withoutAge.audit.attributes.map((a) => [a.attribute, a.before])) },
  ];
  const rows: string[][] = [
    ['ROC AUC', ...columns.map((c) => f4(c.auc))],
    ['selected', ...columns.map((c) => `${c.quality.selected} (${pct(c.quality.selectionRate)})`)],
    ['precision', ...columns.map((c) => f3(c.quality.precision))],
    ['recall', ...columns.map((c) => f3(c.quality.recall))],
  ];
  for (const a of attributes) {
    rows.push([`${LABELS[a]}: DP difference`, ...columns.map((c) => f3(c.reports[a].demographicParityDifference))]);
    rows.push([`${LABELS[a]}: EO difference`, ...columns.map((c) => f3(c.reports[a].equalOpportunityDifference))]);
    if (columns[0].reports[a].groups.some((g) => g.n < MIN_GROUP)) {
      rows.push([`${LABELS[a]}: DP, groups ≥ ${MIN_GROUP} rows`, ...columns.map((c) => f3(spreadsOfLarge(c.reports[a]).dp))]);
      rows.push([`${LABELS[a]}: EO, groups ≥ ${MIN_GROUP} rows`, ...columns.map((c) => f3(spreadsOfLarge(c.reports[a]).eo))]);
    }
  }
  return table(['', ...columns.map((c) => c.name)], rows);
}

/** Per group of one attribute: counts, then selection rate and TPR for each variant. */
function perGroup(p: ProtocolResult, a: FairnessAttribute): string {
  const all = p.all.audit.attributes.find((x) => x.attribute === a)!;
  const noAge = p.withoutAge.audit.attributes.find((x) => x.attribute === a)!;
  const rows = all.before.groups.map((g, i) => {
    const after = all.after.groups[i];
    const b = noAge.before.groups[i];
    const threshold = all.thresholds.get(g.group);
    return [
      g.n < MIN_GROUP ? `${g.group} (small)` : g.group,
      String(g.n),
      String(g.positives),
      pct(g.selectionRate),
      f3(g.truePositiveRate),
      threshold === undefined ? '(global)' : threshold === Number.POSITIVE_INFINITY ? 'none selected' : f3(sigmoid(threshold)),
      pct(after.selectionRate),
      f3(after.truePositiveRate),
      pct(b.selectionRate),
      f3(b.truePositiveRate),
    ];
  });
  rows.push(['DP / EO difference', '', '', f3(all.before.demographicParityDifference), f3(all.before.equalOpportunityDifference), '', f3(all.after.demographicParityDifference), f3(all.after.equalOpportunityDifference), f3(noAge.before.demographicParityDifference), f3(noAge.before.equalOpportunityDifference)]);
  return table(['group', 'n', 'subscribed', 'selected', 'TPR', 'group threshold (p)', '(a) selected', '(a) TPR', '(b) selected', '(b) TPR'], rows);
}

export function formatFairness(r: FairnessResult): string {
  const top = pct(r.fraction);
  const protocolText = (p: ProtocolResult, title: string) =>
    [
      `### ${title}`,
      '',
      `${p.rows} rows, ${p.positives} subscribed (${pct(p.positives / p.rows)}). Global threshold p ≥ ${f3(sigmoid(p.all.audit.threshold))} (all features), p ≥ ${f3(sigmoid(p.withoutAge.audit.threshold))} (without age).${p.all.aucFolds ? ` ROC AUC per fold: ${p.all.aucFolds.map(f4).join(', ')} (all features); ${p.withoutAge.aucFolds!.map(f4).join(', ')} (without age).` : ''}`,
      '',
      summary(p, r.attributes, r.fraction, r.family),
      '',
      ...r.attributes.flatMap((a) => [`By ${LABELS[a]} (selected = selection rate; TPR = share of the group's subscribers selected):`, '', perGroup(p, a), '']),
    ].join('\n');
  return [
    `The campaign contacts the top ${top} by propensity ${r.family === 'gbm' ? 'GBM (PROPENSITY_GBM_OPTIONS' : 'logistic regression (L2 = 1'}, no \`duration\`). Data: ${r.rows} contacts, ${r.positives} subscribed. DP difference = max − min selection rate over groups; EO difference = max − min true-positive rate (Hardt, Price, Srebro 2016). Groups from the raw row, 'unknown' kept as a group; groups under ${MIN_GROUP} rows are marked small and spreads without them are shown as well.`,
    '',
    `Mitigations: (a) one threshold per group, each group's TPR set as close as possible to the overall TPR at the global threshold (equal-opportunity post-processing); thresholds cross-fitted (each fold selected with thresholds fitted on the other folds), shown here as fitted on all rows; the score and its ROC AUC are unchanged, the number selected moves. "thresholds by marital status / education" are the same technique on those attributes. (b) \`age\` dropped as a feature and the model refitted, selection at the global threshold again. ${r.fits} fits, ${r.seconds.toFixed(0)} s.`,
    '',
    protocolText(r.cv, `Stratified ${FOLDS}-fold cross-validation, out-of-fold scores pooled (seed ${CV_SEED}) — main figures`),
    protocolText(r.time, 'Time-ordered split: fit on the first 80 % of rows, evaluate on the last 20 % (group thresholds cross-fitted on two stratified halves)'),
  ].join('\n');
}
