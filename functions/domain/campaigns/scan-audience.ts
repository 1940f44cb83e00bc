/**
 * One read of the whole profiles table through a segment: the preview (size, sample,
 * breakdowns) and, for a top N / top p % segment, its cut — the last person in. The scan runs
 * `totalSegments` parallel scan segments, page by page, and reads scores only when the
 * segment names a score (most segments filter on traits, tags and aggregates).
 *
 * A campaign with a top audience ranks once, at Start (run-campaign.ts), and keeps the cut
 * beside its definition; every send page then keeps those at or above it. Fixed at start, so
 * a restarted execution or a later sweep sends to the same ranked audience; someone whose score
 * rises above the cut after the ranking also qualifies when their page is read (the cut is a
 * threshold, not a list: a list of a million ids would be a million writes).
 */
import type { Profile, ScoresItem } from '../../../schemas/profile.ts';
import type { SegmentCondition, SegmentDefinition, SegmentTop } from '../../../schemas/segment.ts';
import type { ProfileScanner } from '../profiles/ports.ts';
import type { ScoreStore } from '../score/ports.ts';
import { createSegmentPreview, rankingValue, type ProfileScores, type SegmentPreview, type SegmentPreviewOptions } from './segments.ts';

export interface AudienceScanDeps {
  profiles: ProfileScanner;
  scores: Pick<ScoreStore, 'getScores'>;
}

function conditionUsesScores(c: SegmentCondition): boolean {
  if ('and' in c) return c.and.some(conditionUsesScores);
  if ('or' in c) return c.or.some(conditionUsesScores);
  if ('not' in c) return conditionUsesScores(c.not);
  return 'field' in c && c.field.startsWith('scores.');
}

/** Whether matching or ranking `def` needs the people's scores. */
export function segmentUsesScores(def: SegmentDefinition): boolean {
  return conditionUsesScores(def.where) || (def.top?.by.startsWith('scores.') ?? false);
}

/** The scores of `profiles` when `needed` (one batched read), else an empty map. */
export async function scoresFor(profiles: Profile[], needed: boolean, scores: Pick<ScoreStore, 'getScores'>): Promise<Map<string, ScoresItem>> {
  const live = profiles.filter((p) => !p.mergedInto).map((p) => p.profileId);
  return needed && live.length ? scores.getScores(live) : new Map<string, ScoresItem>();
}

export async function scanSegmentPreview(
  def: SegmentDefinition,
  deps: AudienceScanDeps,
  options: SegmentPreviewOptions & { totalSegments?: number; pageSize?: number } = {},
): Promise<SegmentPreview> {
  const totalSegments = options.totalSegments ?? 8;
  const needScores = segmentUsesScores(def);
  const preview = createSegmentPreview(def, options);
  await Promise.all(
    Array.from({ length: totalSegments }, async (_, segment) => {
      let cursor: string | undefined;
      do {
        const page = await deps.profiles.scanProfiles({ segment, totalSegments, cursor, limit: options.pageSize ?? 500 });
        const scores = await scoresFor(page.profiles, needScores, deps.scores);
        for (const p of page.profiles) preview.add(p, scores.get(p.profileId));
        cursor = page.cursor;
      } while (cursor);
    }),
  );
  return preview.result();
}

/** A top audience's cut, taken at Start and kept beside the campaign's definition. */
export interface AudienceCut {
  by: string;
  /** People in the ranked audience when it was taken. */
  size: number;
  matched: number;
  unranked: number;
  /** The last one in; absent when nobody matched (then nobody is in the audience). */
  cutoff?: { value: number; profileId: string };
  rankedAt: string;
}

export function audienceCutOf(preview: SegmentPreview, at: string): AudienceCut {
  return { by: preview.top?.by ?? '', size: preview.size, matched: preview.matched, unranked: preview.top?.unranked ?? 0, ...(preview.top?.cutoff ? { cutoff: preview.top.cutoff } : {}), rankedAt: at };
}

/** Whether a profile (already matching the segment's where) ranks at or above the cut: higher value, or equal value and an id not after the cut's, as the preview ranks. */
export function withinCut(profile: Profile, scores: ProfileScores, top: SegmentTop, cut: AudienceCut): boolean {
  if (!cut.cutoff) return false;
  const value = rankingValue(profile, scores, top);
  if (value === undefined) return false;
  return value > cut.cutoff.value || (value === cut.cutoff.value && profile.profileId <= cut.cutoff.profileId);
}
