import { describe, expect, it } from 'vitest';
import { audienceCutOf, scanSegmentPreview, segmentUsesScores, withinCut } from '../../../../functions/domain/campaigns/scan-audience.ts';
import { previewSegment } from '../../../../functions/domain/campaigns/segments.ts';
import { newProfile } from '../../../../functions/domain/profiles/profile.ts';
import { segmentDefinitionSchema, type SegmentDefinition } from '../../../../schemas/segment.ts';
import type { Profile, ScoresItem } from '../../../../schemas/profile.ts';
import { MemoryProfileStore } from '../../../helpers/memory-profile-store.ts';

const segment = (over: Record<string, unknown>): SegmentDefinition => segmentDefinitionSchema.parse({ schemaVersion: 1, id: 's', name: 's', where: { field: 'traits.email', op: 'exists' }, ...over });
const byValue = (value: number) => ({ schemaVersion: 1, profileId: '', scores: { propensity: { value } } }) as unknown as ScoresItem;

/** 40 people, value i % 10 (ties on purpose), every fourth without an email. */
function table() {
  const profiles: Profile[] = Array.from({ length: 40 }, (_, i) => ({
    ...newProfile(`u-${String(i).padStart(2, '0')}`, '2026-11-01T00:00:00.000Z'),
    traits: i % 4 === 3 ? {} : { email: `p${i}@example.test` },
  }));
  const scores = new Map(profiles.map((p, i) => [p.profileId, { ...byValue(i % 10), profileId: p.profileId }]));
  return { profiles, scores };
}

describe('segmentUsesScores', () => {
  it('is true only when a condition or the ranking names a score', () => {
    expect(segmentUsesScores(segment({}))).toBe(false);
    expect(segmentUsesScores(segment({ where: { and: [{ field: 'traits.email', op: 'exists' }, { not: { field: 'scores.churn', op: 'gte', value: 0.5 } }] } }))).toBe(true);
    expect(segmentUsesScores(segment({ top: { n: 3, by: 'scores.propensity' } }))).toBe(true);
    expect(segmentUsesScores(segment({ top: { n: 3, by: 'aggregates.revenue' } }))).toBe(false);
  });
});

describe('scanSegmentPreview', () => {
  it('over parallel scan segments gives the same preview as one pass over the same profiles', async () => {
    const { profiles, scores } = table();
    const store = new MemoryProfileStore();
    for (const p of profiles) await store.saveProfile(p, 0);
    const def = segment({ top: { percent: 25, by: 'scores.propensity' } });
    const scanned = await scanSegmentPreview(def, { profiles: store, scores: { getScores: async (ids) => new Map(ids.map((id) => [id, scores.get(id)!])) } }, { sampleSize: 0, totalSegments: 3, pageSize: 4 });
    const direct = previewSegment(def, profiles.map((p) => ({ profile: p, scores: scores.get(p.profileId) })), { sampleSize: 0 });
    expect(scanned.size).toBe(direct.size);
    expect(scanned.top?.cutoff).toEqual(direct.top?.cutoff);
    expect(scanned.size).toBe(7); // 30 with an email, 25 % rounded down
  });

  it('reads no scores for a segment that names none', async () => {
    const { profiles } = table();
    const store = new MemoryProfileStore();
    for (const p of profiles) await store.saveProfile(p, 0);
    let reads = 0;
    const preview = await scanSegmentPreview(segment({}), { profiles: store, scores: { getScores: async () => (reads++, new Map()) } }, { totalSegments: 2 });
    expect(preview.size).toBe(30);
    expect(reads).toBe(0);
  });
});

describe('withinCut', () => {
  it('keeps exactly the ranked audience, ties broken by id as the preview ranks', () => {
    const { profiles, scores } = table();
    const def = segment({ top: { n: 5, by: 'scores.propensity' } });
    const preview = previewSegment(def, profiles.map((p) => ({ profile: p, scores: scores.get(p.profileId) })), { sampleSize: 5 });
    const cut = audienceCutOf(preview, '2026-12-01T00:00:00.000Z');
    const kept = profiles.filter((p) => p.traits.email !== undefined && withinCut(p, scores.get(p.profileId), def.top!, cut));
    // value 9: u-09, u-29 (u-19 and u-39 have no email); value 8: u-08, u-18, u-28 of u-08…u-38 by id: the cut is u-28
    expect(cut.cutoff).toEqual({ value: 8, profileId: 'u-28' });
    expect(kept.map((p) => p.profileId)).toEqual(['u-08', 'u-09', 'u-18', 'u-28', 'u-29']);
    expect(kept).toHaveLength(preview.size);
  });

  it('keeps nobody when nobody matched (no cutoff) and nobody without a ranking value', () => {
    const { profiles } = table();
    const def = segment({ top: { n: 5, by: 'scores.propensity' } });
    const none = audienceCutOf(previewSegment(def, []), '2026-12-01T00:00:00.000Z');
    expect(profiles.some((p) => withinCut(p, byValue(9), def.top!, none))).toBe(false);
    const cut = { ...none, cutoff: { value: 0, profileId: 'u-99' } };
    expect(withinCut(profiles[0], undefined, def.top!, cut)).toBe(false);
    expect(withinCut(profiles[0], byValue(0), def.top!, cut)).toBe(true);
  });
});
