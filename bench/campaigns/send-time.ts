/**
 * Send-time optimisation, evaluated offline on UCI Online Retail (issue 12, item 4): predict
 * the hour of each customer's next order from their earlier orders.
 *
 * Protocol (time-ordered, as a campaign would run):
 * - orders = distinct (customer, invoice time) of the cleaned purchases (bench/recommend/
 *   retail-split.ts loadPurchases: known customers, no cancellations, no non-product lines);
 * - each customer's history = their orders before the cut-off, counted exactly as the Tag
 *   consumer counts them (recordActivity, in Europe/London: the shop's zone, the only zone
 *   the data knows); the population profile = populationProfile over those histograms;
 * - the target = the customer's first order in the three months after the cut-off; the send
 *   window is that order's local day (a campaign sends on a day; the hour is what we pick),
 *   so each method predicts an hour of that weekday;
 * - hit = the predicted hour within ±1 hour of the order's hour; error = |predicted − actual|
 *   in hours (on the 24-hour circle);
 * - validation: cut-off 2011-06-09 (targets until 2011-09-09) chooses the pooling (168 bins,
 *   24 × weekday/weekend, 24), the prior strength k and the neighbour spread; test: cut-off
 *   2011-09-09 (targets until 2011-12-09), read once with what validation chose;
 * - baselines: the best single fixed hour for everyone (the hour with the most ±1 hits
 *   among the training orders, chosen on training data), and the person's last order hour.
 *
 * Usage: npx tsx bench/campaigns/send-time.ts [--file ../shared/datasets/online-retail.csv.gz] [--write]
 */
import { loadPurchases, ukMidnight, type Purchase } from '../recommend/retail-split.ts';
import { DEFAULT_RETAIL } from '../../datasets/scoring-data.ts';
import {
  DEFAULT_POOLING,
  NEIGHBOUR_SHARE,
  PRIOR_STRENGTH,
  bestHourOfWeek,
  binOf,
  decodeActivity,
  hourOfWeek,
  populationProfile,
  recordActivity,
  type BestHourOptions,
} from '../../functions/domain/profiles/activity-hours.ts';
import { wilsonInterval } from '../../functions/domain/campaigns/stats.ts';
import { machine } from '../lib/report.ts';
import { cliArg, publishMeasurement } from './measurement-file.ts';

const arg = cliArg;
const FILE = arg('file', DEFAULT_RETAIL);
const ZONE = 'Europe/London';

interface Case {
  history: string;
  historyOrders: number;
  lastHour: number;
  targetBin: number;
}

interface SplitCases {
  cases: Case[];
  population: number[];
  fixedHour: number;
  trainOrders: number;
}

const circ = (a: number, b: number) => {
  const d = Math.abs(a - b) % 24;
  return Math.min(d, 24 - d);
};

function buildSplit(orders: Map<string, number[]>, cut: string, end: string): SplitCases {
  const [c, e] = [ukMidnight(cut), ukMidnight(end)];
  const cases: Case[] = [];
  const histories: string[] = [];
  const hourHits = new Array<number>(24).fill(0);
  let trainOrders = 0;
  for (const times of orders.values()) {
    let history: string | undefined;
    let n = 0;
    let last: number | undefined;
    for (const t of times) {
      if (t >= c) break;
      history = recordActivity(history, new Date(t).toISOString(), ZONE);
      n += 1;
      last = t;
      const h = hourOfWeek(new Date(t), ZONE) % 24;
      for (let d = -1; d <= 1; d++) hourHits[(h + d + 24) % 24] += 1;
    }
    trainOrders += n;
    if (history) histories.push(history);
    const target = times.find((t) => t >= c && t < e);
    if (history && target !== undefined && last !== undefined) {
      cases.push({ history, historyOrders: n, lastHour: hourOfWeek(new Date(last), ZONE) % 24, targetBin: hourOfWeek(new Date(target), ZONE) });
    }
  }
  const fixedHour = hourHits.indexOf(Math.max(...hourHits));
  return { cases, population: populationProfile(histories), fixedHour, trainOrders };
}

interface Score {
  hits: number;
  absError: number;
  n: number;
}
const score = (cases: Case[], predict: (c: Case) => number): Score => {
  let hits = 0;
  let absError = 0;
  for (const c of cases) {
    const e = circ(predict(c), c.targetBin % 24);
    if (e <= 1) hits += 1;
    absError += e;
  }
  return { hits, absError: absError / cases.length, n: cases.length };
};

const dayBins = (bin: number) => Array.from({ length: 24 }, (_, h) => binOf(Math.floor(bin / 24), h));
const modelPredict = (split: SplitCases, o: BestHourOptions) => (c: Case) => bestHourOfWeek(c.history, { ...o, population: split.population }, dayBins(c.targetBin)) % 24;

const pct = (s: Score) => {
  const w = wilsonInterval({ successes: s.hits, trials: s.n });
  return `${((100 * s.hits) / s.n).toFixed(1)} % (${(100 * w.lower).toFixed(1)}–${(100 * w.upper).toFixed(1)})`;
};

async function main(): Promise<void> {
  const t0 = Date.now();
  const { purchases } = await loadPurchases(FILE);
  const orders = new Map<string, number[]>();
  for (const p of purchases as Purchase[]) {
    const list = orders.get(p.userId) ?? orders.set(p.userId, []).get(p.userId)!;
    if (list.at(-1) !== p.timestamp) list.push(p.timestamp);
  }
  const validation = buildSplit(orders, '2011-06-09', '2011-09-09');
  const test = buildSplit(orders, '2011-09-09', '2011-12-09');

  // Validation grid: the choice is made here, before the test split is scored.
  const poolings = ['hourOfWeek', 'weekpart', 'hourOfDay'] as const;
  const strengths = [0.5, 1, 2, 5, 10, 20, 50];
  const shares = [0, 0.15, 0.25, 1 / 3];
  const grid: { o: BestHourOptions; s: Score }[] = [];
  for (const pooling of poolings) for (const priorStrength of strengths) for (const neighbourShare of shares) grid.push({ o: { pooling, priorStrength, neighbourShare }, s: score(validation.cases, modelPredict(validation, { pooling, priorStrength, neighbourShare })) });
  const better = (a: Score, b: Score) => a.hits > b.hits || (a.hits === b.hits && a.absError < b.absError);
  const bestOf = (items: typeof grid) => items.reduce((m, g) => (better(g.s, m.s) ? g : m));
  const chosen = bestOf(grid);
  const perPooling = poolings.map((p) => bestOf(grid.filter((g) => g.o.pooling === p)));

  const lines: string[] = [];
  lines.push('## Send-time optimisation: the hour of the next order (Online Retail)');
  lines.push('');
  lines.push(`Command: \`npx tsx bench/campaigns/send-time.ts --file ${FILE} --write\``);
  lines.push(`Machine: ${machine()} (shared with other sessions); ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
  lines.push('');
  lines.push('Protocol (bench/campaigns/send-time.ts header): histories counted as the Tag consumer counts them (functions/domain/profiles/activity-hours.ts, Europe/London local hours), the target is each customer\'s first order in the 3 months after the cut-off, every method picks an hour of that order\'s weekday; hit = within ±1 hour; error on the 24-hour circle. Choices made on the validation split only. Honest caveat: the test table was also printed while the method was developed (three versions: the prior pooled like the counts, then the grid extended by the ±1-hour box spread and k = 50), so it is not an untouched read; each version\'s choice was made on validation alone. 95 % Wilson intervals in brackets.');
  lines.push('');
  const table = (split: SplitCases, name: string, model: BestHourOptions[]) => {
    lines.push(`### ${name}: ${split.cases.length.toLocaleString('en-GB')} customers with history and a next order (${split.trainOrders.toLocaleString('en-GB')} earlier orders)`);
    lines.push('');
    lines.push('| method | hit rate ±1 h | mean absolute error (h) |');
    lines.push('|---|---|---|');
    for (const o of model) {
      const s = score(split.cases, modelPredict(split, o));
      lines.push(`| best hour, ${o.pooling}, k = ${o.priorStrength}, neighbour share ${o.neighbourShare!.toFixed(2)}${o === chosen.o ? ' (**chosen**)' : ''} | ${pct(s)} | ${s.absError.toFixed(2)} |`);
    }
    const fixed = score(split.cases, () => split.fixedHour);
    lines.push(`| best single fixed hour for everyone (${split.fixedHour}:00, chosen on training orders) | ${pct(fixed)} | ${fixed.absError.toFixed(2)} |`);
    const last = score(split.cases, (c) => c.lastHour);
    lines.push(`| the person's last order hour | ${pct(last)} | ${last.absError.toFixed(2)} |`);
    const popOnly = score(split.cases, (c) => bestHourOfWeek(undefined, { population: split.population, pooling: 'hourOfWeek' }, dayBins(c.targetBin)) % 24);
    lines.push(`| population profile only (no personal history) | ${pct(popOnly)} | ${popOnly.absError.toFixed(2)} |`);
    lines.push('');
  };
  table(validation, 'Validation (cut-off 2011-06-09)', perPooling.map((g) => g.o));
  table(test, 'Test (cut-off 2011-09-09)', perPooling.map((g) => g.o));

  // By history length, on test, chosen model against the baselines.
  lines.push('Test, by the number of earlier orders (hit rate ±1 h):');
  lines.push('');
  lines.push('| earlier orders | customers | chosen model | fixed hour | last order hour |');
  lines.push('|---|---|---|---|---|');
  for (const [lo, hi] of [[1, 1], [2, 4], [5, 9], [10, Infinity]] as const) {
    const cs = test.cases.filter((c) => c.historyOrders >= lo && c.historyOrders <= hi);
    if (cs.length === 0) continue;
    lines.push(`| ${hi === Infinity ? `${lo}+` : lo === hi ? lo : `${lo}–${hi}`} | ${cs.length} | ${pct(score(cs, modelPredict(test, chosen.o)))} | ${pct(score(cs, () => test.fixedHour))} | ${pct(score(cs, (c) => c.lastHour))} |`);
  }
  lines.push('');
  const inModule = chosen.o.pooling === DEFAULT_POOLING && chosen.o.priorStrength === PRIOR_STRENGTH && chosen.o.neighbourShare === NEIGHBOUR_SHARE;
  lines.push(`Validation chose pooling ${chosen.o.pooling}, k = ${chosen.o.priorStrength}, neighbour share ${chosen.o.neighbourShare!.toFixed(2)}; the module's defaults (pooling ${DEFAULT_POOLING}, k = ${PRIOR_STRENGTH}, share ${NEIGHBOUR_SHARE.toFixed(2)}) ${inModule ? 'are that choice' : '**differ from it**'}.`);
  lines.push('');

  // Bytes on the profile: every customer's whole history, as the Tag consumer stores it.
  const sizes: number[] = [];
  let bins = 0;
  for (const times of orders.values()) {
    let h: string | undefined;
    for (const t of times) h = recordActivity(h, new Date(t).toISOString(), ZONE);
    if (!h) continue;
    sizes.push(h.length);
    bins += decodeActivity(h).counts.filter((c) => c > 0).length;
  }
  sizes.sort((a, b) => a - b);
  const q = (p: number) => sizes[Math.min(sizes.length - 1, Math.floor(p * sizes.length))];
  const mean = sizes.reduce((s, x) => s + x, 0) / sizes.length;
  const name = 'activityHours'.length;
  lines.push(`Bytes added to a profile item (\`aggregates.activityHours\`, a string; DynamoDB counts the attribute name, ${name} bytes, plus the UTF-8 value), over all ${sizes.length.toLocaleString('en-GB')} customers' whole histories (orders only; a live profile also counts page and track events, at most one per clock hour): value mean ${mean.toFixed(1)} bytes, median ${q(0.5)}, p95 ${q(0.95)}, max ${sizes.at(-1)} (${(bins / sizes.length).toFixed(1)} distinct hours of the week per customer on average); so about ${(mean + name).toFixed(0)} bytes per profile on average, and under 850 bytes of value by construction (168 entries of at most 4 characters, 167 commas, the last hour).`);
  publishMeasurement('send-time', lines);
}

await main();
