/**
 * Fairness of the response-propensity selection on UCI Bank Marketing: the report of
 * cli/commands/fairness.ts (5-fold CV out-of-fold and time-ordered split; group-aware
 * thresholds and dropping `age` as mitigations), written to the `fairness` section of
 * bench/results/scores.md. Twelve fits (5 folds × 2 feature sets + 2 time-split fits).
 *
 *   npx tsx bench/scores/eval-fairness.ts [--file ../shared/datasets/bank-additional-full.csv.gz] [--family logistic|gbm] [--fraction 0.1] [--attribute age_band --attribute marital …] [--no-write]
 */
import { parseArgs } from 'node:util';
import { DEFAULT_BANK } from '../../datasets/scoring-data.ts';
import { fairnessCommand, formatFairness } from '../../cli/commands/fairness.ts';
import { machine, writeSection } from './report.ts';

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: DEFAULT_BANK },
    fraction: { type: 'string', default: '0.1' },
    attribute: { type: 'string', multiple: true },
    family: { type: 'string', default: 'logistic' },
    write: { type: 'boolean', default: true },
  },
  allowNegative: true,
});

if (values.family !== 'logistic' && values.family !== 'gbm') throw new RangeError('--family is logistic or gbm');
const family = values.family;
const result = await fairnessCommand({ data: values.file!, fraction: Number(values.fraction), attribute: values.attribute, family, progress: (m) => console.log(m) });
const flags = [`--file ${values.file}`, `--family ${family}`, values.fraction !== '0.1' ? `--fraction ${values.fraction}` : '', ...(values.attribute ?? []).map((a) => `--attribute ${a}`)].filter(Boolean).join(' ');
const text = `## Fairness of the response-propensity selection (Bank Marketing, ${family === 'gbm' ? 'GBM' : 'logistic regression: the family `sightline train propensity` publishes on this data'})

Command: \`npx tsx bench/scores/eval-fairness.ts ${flags}\`
Machine: ${machine()}

${formatFairness(result)}`;
console.log(`\n${text}`);
// One section per family: the GBM's keeps its old name.
if (values.write) writeSection(family === 'gbm' ? 'fairness' : 'fairness-logistic', text);
