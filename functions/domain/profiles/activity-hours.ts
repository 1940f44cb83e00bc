/**
 * When a person is active: a histogram of their activity over the 168 hours of the week,
 * kept on the profile by the Tag consumer as events arrive, and the person's best hour to be
 * sent a message, smoothed towards the population when their own history is thin.
 *
 * Design:
 * - Hours are the person's local wall-clock hours (weekday × hour, Sunday 00:00 = bin 0), in
 *   the zone the event names (`context.timezone`), else the profile's zone, else UTC. Local,
 *   not UTC, because habits follow the clock on the wall: someone who orders at 20:00 does
 *   so in winter and in summer, and a UTC histogram would smear them over two bins at every
 *   DST change. Campaigns read the same zone when they send (schedule.ts personTimeZone).
 * - Counted: track, page and screen events (what the person does), not identify, alias or
 *   group calls (often server-side syncs) nor "Campaign Contacted" (the marketer's action).
 *   Events in the same clock hour as the previously counted one count once: a session of
 *   40 page views is one active hour, not 40 votes for it.
 * - Stored as 168 bins (hour of the week); the model pools them into 24 hours of the day
 *   (DEFAULT_POOLING), each day alike, because on Online Retail's validation split that did
 *   at least as well as 24 × weekday/weekend and 168 separate bins (too little evidence per
 *   bin); the differences were within noise (bench/results/measurement.md). Keeping all 168
 *   lets a shop whose customers have day-of-week habits switch the pooling without a data
 *   migration. The population prior is pooled the same way.
 * - Stored compactly (DynamoDB bills every byte of the profile on every write): one string
 *   `<last counted epoch hour, base 36>;<bin as 2 base-36 chars><count, base 36>,…`, sparse
 *   and sorted by bin. A person active in 5 distinct hours of the week costs about 25
 *   bytes. A count reaching MAX_COUNT halves every count: old habits fade, bytes stay bounded
 *   (under 850 characters at the very most: 168 entries of at most 4, their commas, the
 *   last hour).
 * - Smoothing is Dirichlet-multinomial (empirical Bayes): the person's posterior mean in
 *   bin b is (c_b + k·π_b) / (n + k) with π the population's profile and k pseudo-counts,
 *   after spreading each count over its neighbouring hours (a person who ordered at 13:00
 *   and 14:00 is a 13–14 person). With no history the population's best hour wins; with a
 *   strong habit, the person's own. k and the spread were chosen on a validation split of
 *   Online Retail, before the test split was read (bench/campaigns/send-time.ts).
 * - The population's profile is each person's normalised histogram averaged (one person,
 *   one vote), plus one pseudo-count per bin so no hour is impossible.
 */
import { isValidTimeZone, localParts } from '../campaigns/schedule.ts';

export const HOURS_PER_WEEK = 168;
/** A bin's count at which every count halves. */
export const MAX_COUNT = 1000;
/** Pseudo-counts of the population prior (chosen on the validation split; see the module comment). */
export const PRIOR_STRENGTH = 5;
/**
 * Share of a count spread to each neighbouring hour (the rest stays in its own): a third, a
 * flat ±1-hour box, which makes the best bin the one with the most activity within an hour
 * of it (what a send hopes to land in). Chosen on the validation split.
 */
export const NEIGHBOUR_SHARE = 1 / 3;
const HOUR = 3_600_000;
/** How the 168 bins are pooled before smoothing (chosen on the validation split). */
export const DEFAULT_POOLING: Pooling = 'hourOfDay';
export type Pooling = 'hourOfWeek' | 'weekpart' | 'hourOfDay';

export interface ActivityHours {
  /** Epoch hour of the last counted event (−1: none yet). */
  lastHour: number;
  /** 168 counts: bin = weekday (0 = Sunday) × 24 + local hour. */
  counts: number[];
}

export const emptyActivity = (): ActivityHours => ({ lastHour: -1, counts: new Array<number>(HOURS_PER_WEEK).fill(0) });

export const binOf = (weekday: number, hour: number): number => weekday * 24 + hour;

/** Bins by zone and epoch hour: the Tag consumer sees many events of the same hours, and Intl is slow (tens of µs a call). */
const binCache = new Map<string, number>();
const BIN_CACHE_SIZE = 10_000;

/** The local hour-of-week bin of an instant in a zone (an invalid zone reads as UTC). */
export function hourOfWeek(instant: Date, zone: string): number {
  // Every zone's offset (and every DST change) since 1970 is a multiple of 15 minutes, on a
  // quarter hour: the whole of a UTC quarter hour lies in one local hour.
  const key = `${zone}|${Math.floor(instant.getTime() / 900_000)}`;
  const cached = binCache.get(key);
  if (cached !== undefined) return cached;
  const p = localParts(instant, isValidTimeZone(zone) ? zone : 'UTC');
  const bin = binOf(p.weekday, p.hour);
  if (binCache.size >= BIN_CACHE_SIZE) binCache.clear();
  binCache.set(key, bin);
  return bin;
}

export function decodeActivity(encoded: string | undefined): ActivityHours {
  const a = emptyActivity();
  if (!encoded) return a;
  const [last, body = ''] = encoded.split(';');
  const lastHour = parseInt(last, 36);
  a.lastHour = Number.isFinite(lastHour) ? lastHour : -1;
  for (const entry of body.split(',')) {
    if (entry.length < 3) continue;
    const bin = parseInt(entry.slice(0, 2), 36);
    const count = parseInt(entry.slice(2), 36);
    // A damaged entry is dropped rather than trusted: the histogram is advisory.
    if (bin >= 0 && bin < HOURS_PER_WEEK && count > 0) a.counts[bin] = count;
  }
  return a;
}

export function encodeActivity(a: ActivityHours): string {
  const entries: string[] = [];
  a.counts.forEach((c, bin) => {
    if (c > 0) entries.push(bin.toString(36).padStart(2, '0') + c.toString(36));
  });
  return `${Math.max(a.lastHour, 0).toString(36)};${entries.join(',')}`;
}

function halveIfFull(counts: number[]): number[] {
  return counts.some((c) => c >= MAX_COUNT) ? counts.map((c) => Math.floor(c / 2)) : counts;
}

/**
 * The histogram after one activity at `timestamp` (ISO) in `zone`. Edits the one entry in
 * the string (entries sort as text: 2-character base-36 bins, digits before letters) rather
 * than decoding all 168 bins: this runs for every event.
 */
export function recordActivity(encoded: string | undefined, timestamp: string, zone: string): string {
  const t = Date.parse(timestamp);
  if (!Number.isFinite(t)) return encoded ?? encodeActivity(emptyActivity());
  const epochHour = Math.floor(t / HOUR);
  const [last = '', body = ''] = (encoded ?? '').split(';');
  if (encoded && parseInt(last, 36) === epochHour) return encoded;
  const key = hourOfWeek(new Date(t), zone).toString(36).padStart(2, '0');
  const entries = body === '' ? [] : body.split(',');
  let i = 0;
  while (i < entries.length && entries[i].slice(0, 2) < key) i++;
  if (i < entries.length && entries[i].slice(0, 2) === key) {
    const count = parseInt(entries[i].slice(2), 36) + 1;
    if (!(count > 0) || count >= MAX_COUNT) {
      // Full (or damaged): decode, add, halve, encode — the rare path.
      const a = decodeActivity(encoded);
      a.counts[parseInt(key, 36)] += 1;
      return encodeActivity({ lastHour: epochHour, counts: halveIfFull(a.counts) });
    }
    entries[i] = key + count.toString(36);
  } else entries.splice(i, 0, `${key}1`);
  return `${epochHour.toString(36)};${entries.join(',')}`;
}

/** Two people's histograms as one (identity merge): counts add. */
export function mergeActivity(a: string | undefined, b: string | undefined): string | undefined {
  if (!a || !b) return a ?? b;
  const x = decodeActivity(a);
  const y = decodeActivity(b);
  return encodeActivity({ lastHour: Math.max(x.lastHour, y.lastHour), counts: halveIfFull(x.counts.map((c, i) => c + y.counts[i])) });
}

/** The population's profile over the 168 bins (sums to 1): one vote per person, plus one vote spread evenly. */
export function populationProfile(histograms: Iterable<string | undefined>): number[] {
  const sum = new Array<number>(HOURS_PER_WEEK).fill(0);
  let people = 0;
  for (const h of histograms) {
    const { counts } = decodeActivity(h);
    const n = counts.reduce((s, c) => s + c, 0);
    if (n === 0) continue;
    people += 1;
    counts.forEach((c, i) => (sum[i] += c / n));
  }
  return sum.map((s) => (s + 1 / HOURS_PER_WEEK) / (people + 1));
}

export interface BestHourOptions {
  /** The population's profile (populationProfile); default: uniform. */
  population?: readonly number[];
  priorStrength?: number;
  neighbourShare?: number;
  /**
   * Pool the histogram before smoothing: 'hourOfWeek' (168 bins), 'weekpart' (24 hours ×
   * weekday/weekend) or 'hourOfDay' (24 hours, every day alike; DEFAULT_POOLING). Scores
   * stay indexed by the 168 bins.
   */
  pooling?: Pooling;
}

const ring = (i: number) => ((i % HOURS_PER_WEEK) + HOURS_PER_WEEK) % HOURS_PER_WEEK;

/** Each bin becomes the mean of its group's same hour (the group's days alike); totals are kept. */
function pool(counts: readonly number[], pooling: Pooling): number[] {
  if (pooling === 'hourOfWeek') return counts.slice();
  const group = (bin: number) => {
    const day = Math.floor(bin / 24);
    return pooling === 'hourOfDay' ? 0 : day === 0 || day === 6 ? 1 : 2;
  };
  const out = new Array<number>(HOURS_PER_WEEK).fill(0);
  for (let bin = 0; bin < HOURS_PER_WEEK; bin++) {
    const days = pooling === 'hourOfDay' ? 7 : group(bin) === 1 ? 2 : 5;
    let s = 0;
    for (let d = 0; d < 7; d++) if (group(d * 24) === group(bin)) s += counts[d * 24 + (bin % 24)];
    out[bin] = s / days;
  }
  return out;
}

/** Posterior mean activity in each of the 168 bins (sums to 1). */
export function activityScores(encoded: string | undefined, options: BestHourOptions = {}): number[] {
  const k = options.priorStrength ?? PRIOR_STRENGTH;
  const share = options.neighbourShare ?? NEIGHBOUR_SHARE;
  const pooling = options.pooling ?? DEFAULT_POOLING;
  // The prior is pooled like the counts, so that a pooled person and a pooled population
  // are compared on the same scale (pooling keeps totals: n counts, a prior summing to 1).
  const prior = pool(options.population ?? new Array<number>(HOURS_PER_WEEK).fill(1 / HOURS_PER_WEEK), pooling);
  const raw = decodeActivity(encoded).counts;
  const n = raw.reduce((s, c) => s + c, 0);
  const c = pool(raw, pooling);
  const spread = c.map((_, i) => (1 - 2 * share) * c[i] + share * (c[ring(i - 1)] + c[ring(i + 1)]));
  return spread.map((v, i) => (v + k * prior[i]) / (n + k));
}

/** The best bin among `candidates` (default all 168): highest score, earliest on a tie. */
export function bestHourOfWeek(encoded: string | undefined, options: BestHourOptions = {}, candidates?: readonly number[]): number {
  const scores = activityScores(encoded, options);
  const bins = candidates ?? scores.map((_, i) => i);
  let best = bins[0];
  for (const b of bins) if (scores[b] > scores[best]) best = b;
  return best;
}
