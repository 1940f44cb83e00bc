/**
 * Segments: whether a profile is in a segment, and a preview of a whole segment in one scan.
 *
 * Design:
 * - `matchesSegment` is pure and total: a missing field, a value of another type, a bad
 *   path, all simply do not match (comparisons are false, `exists: false` and `not` are
 *   true), so one odd profile never fails a scan of a million. `ne` is exactly `not eq`: a
 *   person without a country is "not in the UK".
 * - Merged profiles (`mergedInto` set) never match: their person is counted, and contacted,
 *   through the survivor.
 * - `top` is not a property of one profile, so `matchesSegment` ignores it; the preview
 *   accumulator (and audience resolution) ranks. Ties rank by profile id so the same table
 *   always gives the same audience. A matched profile without a numeric ranking value cannot
 *   be ranked and is left out of a top audience (counted as `unranked`).
 * - The preview reads every profile once (issue 11: no second scan per breakdown). It keeps
 *   only bounded state: counts per lifecycle and country, a reservoir sample (uniform, seeded
 *   so previews are reproducible), and for `top.n` a heap of n entries. `top.percent` needs
 *   the total matched count before the cut is known, so it keeps one small entry per
 *   *matched* profile (id, value, two dictionary-coded breakdown keys — tens of bytes, never
 *   the profile) and selects after the scan: still one scan, memory linear in the segment,
 *   not in the table. Sample rows carry ids, not profiles: a caller that wants to show the
 *   full profiles reads those few by key.
 * - p % of the matched count is rounded down (a "top 10 %" audience never exceeds 10 %), but
 *   at least one person when anyone matched.
 */
import type { Profile, ScoresItem, StoredScore } from '../../../schemas/profile.ts';
import type { LeafCondition, SegmentCondition, SegmentDefinition, SegmentTop } from '../../../schemas/segment.ts';
import { seededRandom } from '../shared/random.ts';

/** A profile's scores: the SCORES item beside it, its `scores` map, or nothing (then `profile.scores`). */
export type ProfileScores = ScoresItem | Record<string, StoredScore> | undefined;

export interface MatchOptions {
  /** The instant `{ daysAgo }` values are relative to; default now. */
  now?: Date;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function scoresMap(profile: Profile, scores: ProfileScores): Record<string, StoredScore> | undefined {
  if (scores === undefined) return profile.scores;
  return 'schemaVersion' in scores && 'profileId' in scores && isObject((scores as ScoresItem).scores)
    ? (scores as ScoresItem).scores
    : (scores as Record<string, StoredScore>);
}

/** Looks `path` up in `obj`; keys may contain dots, so an exact key wins over a nested walk. */
function lookup(obj: unknown, path: string): unknown {
  if (!isObject(obj)) return undefined;
  if (Object.hasOwn(obj, path)) return obj[path];
  for (let i = path.indexOf('.'); i > 0; i = path.indexOf('.', i + 1)) {
    const head = path.slice(0, i);
    if (Object.hasOwn(obj, head) && isObject(obj[head])) {
      const found = lookup(obj[head], path.slice(i + 1));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The value a condition's field names, or undefined. `scores.<model>` is the score's value. */
export function readSegmentField(profile: Profile, scores: ProfileScores, field: string): unknown {
  const dot = field.indexOf('.');
  if (dot <= 0) return undefined;
  const root = field.slice(0, dot);
  const rest = field.slice(dot + 1);
  switch (root) {
    case 'traits':
      return lookup(profile.traits, rest);
    case 'tags':
      return profile.tags[rest];
    case 'consent':
      return profile.consent[rest];
    case 'aggregates':
      return lookup(profile.aggregates, rest);
    case 'campaignContact':
      return lookup(profile.campaignContact, rest);
    case 'scores': {
      const map = scoresMap(profile, scores);
      if (!map) return undefined;
      const sub = rest.indexOf('.');
      const score = map[sub < 0 ? rest : rest.slice(0, sub)];
      if (!score) return undefined;
      return sub < 0 ? score.value : lookup(score, rest.slice(sub + 1));
    }
    default:
      return undefined;
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

function resolveValue(value: unknown, now: Date): unknown {
  if (isObject(value) && typeof value.daysAgo === 'number') return new Date(now.getTime() - value.daysAgo * 86_400_000).toISOString();
  return value;
}

/** -1, 0, 1, or undefined when the two cannot be ordered (different types, unparseable). */
function order(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return undefined;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    // Instants compare as instants: '2024-01-01' and '2024-01-01T00:00:00.000Z' are the same day start.
    if (ISO_DATE.test(a) && ISO_DATE.test(b)) {
      const x = Date.parse(a);
      const y = Date.parse(b);
      if (!Number.isNaN(x) && !Number.isNaN(y)) return x < y ? -1 : x > y ? 1 : 0;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return undefined;
}

function matchesLeaf(actual: unknown, leaf: LeafCondition, now: Date): boolean {
  switch (leaf.op) {
    case 'eq':
      return actual === leaf.value;
    case 'ne':
      return actual !== leaf.value;
    case 'in':
      return leaf.value.some((v) => v === actual);
    case 'exists':
      return (actual !== undefined && actual !== null) === (leaf.value ?? true);
    case 'contains': {
      if (typeof actual === 'string') return actual.includes(String(leaf.value));
      if (Array.isArray(actual)) return actual.some((v) => v === leaf.value);
      if (isObject(actual)) return Object.hasOwn(actual, String(leaf.value));
      return false;
    }
    default: {
      const o = order(actual, resolveValue(leaf.value, now));
      if (o === undefined) return false;
      if (leaf.op === 'gt') return o > 0;
      if (leaf.op === 'gte') return o >= 0;
      if (leaf.op === 'lt') return o < 0;
      return o <= 0;
    }
  }
}

export function matchesCondition(profile: Profile, scores: ProfileScores, condition: SegmentCondition, options: MatchOptions = {}): boolean {
  const now = options.now ?? new Date();
  const walk = (c: SegmentCondition): boolean => {
    if ('and' in c) return c.and.every(walk);
    if ('or' in c) return c.or.some(walk);
    if ('not' in c) return !walk(c.not);
    return matchesLeaf(readSegmentField(profile, scores, c.field), c, now);
  };
  return walk(condition);
}

/** Whether the profile satisfies the segment's `where` (its `top` is applied by ranking, see the preview). */
export function matchesSegment(profile: Profile, scores: ProfileScores, def: SegmentDefinition, options: MatchOptions = {}): boolean {
  if (profile.mergedInto) return false;
  return matchesCondition(profile, scores, def.where, options);
}

/** The value a top segment ranks by, when it is a finite number. */
export function rankingValue(profile: Profile, scores: ProfileScores, top: SegmentTop): number | undefined {
  const v = readSegmentField(profile, scores, top.by);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** How many of `matched` a top-p % segment keeps. */
export function topPercentCount(matched: number, percent: number): number {
  if (matched <= 0) return 0;
  // The epsilon keeps 0.29 * 100 (28.999…) from losing a person to floating point.
  return Math.min(matched, Math.max(1, Math.floor((matched * percent) / 100 + 1e-9)));
}

// ---- bounded structures ------------------------------------------------------------------


interface Ranked {
  id: string;
  value: number;
  lifecycle: number;
  country: number;
}

/** a ranks better than b: higher value, then smaller id. */
const better = (a: Ranked, b: Ranked): boolean => a.value > b.value || (a.value === b.value && a.id < b.id);

/** Keeps the best `capacity` entries; the root is the worst kept, so a better newcomer replaces it. */
class TopHeap {
  private readonly items: Ranked[] = [];
  constructor(private readonly capacity: number) {}

  offer(e: Ranked): void {
    if (this.capacity <= 0) return;
    const h = this.items;
    if (h.length < this.capacity) {
      h.push(e);
      let i = h.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!better(h[p], h[i])) break; // parent already worse (or equal): heap holds
        [h[p], h[i]] = [h[i], h[p]];
        i = p;
      }
      return;
    }
    if (!better(e, h[0])) return;
    h[0] = e;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < h.length && better(h[worst], h[l])) worst = l;
      if (r < h.length && better(h[worst], h[r])) worst = r;
      if (worst === i) break;
      [h[worst], h[i]] = [h[i], h[worst]];
      i = worst;
    }
  }

  /** Best first. */
  sorted(): Ranked[] {
    return [...this.items].sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
  }
}

// ---- preview -----------------------------------------------------------------------------

export interface PreviewRow {
  profileId: string;
  lifecycle: string;
  country: string;
  /** The ranking value, for top segments. */
  value?: number;
}

export interface BreakdownEntry {
  value: string;
  count: number;
}

export interface SegmentPreview {
  segmentId: string;
  /** Profiles read. */
  scanned: number;
  /** Of those, merged into another profile (never match). */
  merged: number;
  /** Profiles matching `where`. */
  matched: number;
  /** The audience: `matched`, or the top N / p % of it. */
  size: number;
  sample: PreviewRow[];
  /** Of the audience, largest first, then by name. */
  breakdown: { lifecycle: BreakdownEntry[]; country: BreakdownEntry[] };
  top?: {
    by: string;
    /** Matched profiles without a numeric ranking value: not in the audience. */
    unranked: number;
    /** The last one in: rank above it (higher value, or equal value and smaller id) to be in. */
    cutoff?: { value: number; profileId: string };
  };
}

export interface SegmentPreviewOptions extends MatchOptions {
  /** Sample rows kept; default 20. */
  sampleSize?: number;
  /** Seed of the sample; default 1. */
  seed?: number;
}

export const NO_LIFECYCLE = '(none)';
export const NO_COUNTRY = '(unknown)';

/** The lifecycle stage breakdown key: the `lifecycle` tag (functions/domain/tag). */
export function lifecycleOf(profile: Profile): string {
  const v = profile.tags.lifecycle;
  return typeof v === 'string' && v !== '' ? v : NO_LIFECYCLE;
}

/** The country breakdown key: the `country` trait (set by identify, e.g. Online Retail's Country). */
export function countryOf(profile: Profile): string {
  const v = profile.traits.country;
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : NO_COUNTRY;
}

export interface SegmentPreviewAccumulator {
  /** Reads one profile; true when it matched `where`. */
  add(profile: Profile, scores?: ProfileScores): boolean;
  result(): SegmentPreview;
}

class Dictionary {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  code(v: string): number {
    let c = this.index.get(v);
    if (c === undefined) {
      c = this.values.length;
      this.values.push(v);
      this.index.set(v, c);
    }
    return c;
  }
}

function breakdownOf(counts: number[], dict: Dictionary): BreakdownEntry[] {
  return counts
    .map((count, i) => ({ value: dict.values[i], count }))
    .filter((e) => e.count > 0)
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

/** Starts a one-pass preview of `def`: `add` every profile of the table, then read `result`. */
export function createSegmentPreview(def: SegmentDefinition, options: SegmentPreviewOptions = {}): SegmentPreviewAccumulator {
  const now = options.now ?? new Date();
  const sampleSize = Math.max(0, options.sampleSize ?? 20);
  const random = seededRandom(options.seed ?? 1);
  const lifecycles = new Dictionary();
  const countries = new Dictionary();
  const top = def.top;
  const heap = top?.n !== undefined ? new TopHeap(top.n) : undefined;
  const all: Ranked[] = []; // top.percent only: one small entry per matched, ranked profile
  const lifecycleCounts: number[] = [];
  const countryCounts: number[] = [];
  const sample: PreviewRow[] = [];
  let scanned = 0;
  let merged = 0;
  let matched = 0;
  let unranked = 0;

  /** Algorithm R over the audience as it streams by. */
  const reservoir = (rows: PreviewRow[], row: PreviewRow, seen: number) => {
    if (rows.length < sampleSize) rows.push(row);
    else {
      const j = Math.floor(random() * seen);
      if (j < sampleSize) rows[j] = row;
    }
  };

  return {
    add(profile, scores) {
      scanned++;
      if (profile.mergedInto) {
        merged++;
        return false;
      }
      if (!matchesCondition(profile, scores, def.where, { now })) return false;
      matched++;
      const lifecycle = lifecycles.code(lifecycleOf(profile));
      const country = countries.code(countryOf(profile));
      if (!top) {
        lifecycleCounts[lifecycle] = (lifecycleCounts[lifecycle] ?? 0) + 1;
        countryCounts[country] = (countryCounts[country] ?? 0) + 1;
        reservoir(sample, { profileId: profile.profileId, lifecycle: lifecycles.values[lifecycle], country: countries.values[country] }, matched);
        return true;
      }
      const value = rankingValue(profile, scores, top);
      if (value === undefined) {
        unranked++;
        return true;
      }
      const entry = { id: profile.profileId, value, lifecycle, country };
      if (heap) heap.offer(entry);
      else all.push(entry);
      return true;
    },

    result() {
      if (!top) {
        return {
          segmentId: def.id,
          scanned,
          merged,
          matched,
          size: matched,
          sample: [...sample],
          breakdown: { lifecycle: breakdownOf(lifecycleCounts, lifecycles), country: breakdownOf(countryCounts, countries) },
        };
      }
      let selected: Ranked[];
      if (heap) selected = heap.sorted();
      else {
        const k = topPercentCount(matched, top.percent ?? 100);
        const h = new TopHeap(k);
        for (const e of all) h.offer(e);
        selected = h.sorted();
      }
      const lc: number[] = [];
      const cc: number[] = [];
      const rows: PreviewRow[] = [];
      selected.forEach((e, i) => {
        lc[e.lifecycle] = (lc[e.lifecycle] ?? 0) + 1;
        cc[e.country] = (cc[e.country] ?? 0) + 1;
        reservoir(rows, { profileId: e.id, lifecycle: lifecycles.values[e.lifecycle], country: countries.values[e.country], value: e.value }, i + 1);
      });
      const last = selected.at(-1);
      return {
        segmentId: def.id,
        scanned,
        merged,
        matched,
        size: selected.length,
        sample: rows,
        breakdown: { lifecycle: breakdownOf(lc, lifecycles), country: breakdownOf(cc, countries) },
        top: { by: top.by, unranked, ...(last ? { cutoff: { value: last.value, profileId: last.id } } : {}) },
      };
    },
  };
}

/** Previews `def` over any iterable of profiles (with their scores) in one pass. */
export function previewSegment(
  def: SegmentDefinition,
  profiles: Iterable<{ profile: Profile; scores?: ProfileScores }>,
  options: SegmentPreviewOptions = {},
): SegmentPreview {
  const acc = createSegmentPreview(def, options);
  for (const { profile, scores } of profiles) acc.add(profile, scores);
  return acc.result();
}
