import { describe, expect, it } from 'vitest';
import { makeRescoreProfiles } from '../../../functions/handlers/rescore-profiles.ts';
import { MemoryProfileStore, MemoryScoreStore } from '../../helpers/memory-profile-store.ts';
import { RULE_SET_ID, RULE_SET_V1 } from '../../../functions/domain/tag/tags.ts';
import { buyer, churnModel } from '../../helpers/scoring-fixtures.ts';

function setup(n: number) {
  const store = new MemoryProfileStore();
  const scores = new MemoryScoreStore(store);
  for (let i = 0; i < n; i++) store.profiles.set(`u-${i}`, buyer(`u-${i}`, { '2011-02': 1, '2011-09': 1 + (i % 3) }));
  let asOf = new Date('2011-12-01T00:00:00Z');
  const rescore = makeRescoreProfiles({ store, scores, models: { get: async () => [churnModel] }, asOf: () => asOf, now: () => new Date('2011-12-01T03:00:00Z'), reserveMs: 1000, ruleSet: RULE_SET_V1, ruleSetId: RULE_SET_ID });
  return { store, scores, rescore, later: (d: string) => (asOf = new Date(d)) };
}

describe('rescore-profiles (one step of the daily re-scoring)', () => {
  it('walks a segment page by page until the time budget runs low, and says where to go on', async () => {
    // Prepare: 1,200 profiles, one segment; 600 in it (every other), pages of 500
    const { scores, rescore } = setup(1200);
    const context = { getRemainingTimeInMillis: () => 500 }; // below the 1 s reserve after the first page
    // Act
    const first = await rescore({ segment: 0, totalSegments: 2 }, context);
    const second = await rescore({ ...first }, { getRemainingTimeInMillis: () => 5000 });
    // Assess
    expect(first).toMatchObject({ done: false, cursor: '500', totals: { profiles: 500, scored: 500 } });
    expect(second).toMatchObject({ done: true, totals: { profiles: 600, scored: 600 } });
    expect(second.cursor).toBeUndefined();
    expect([...scores.items.values()].filter((s) => s.scores.churn).length).toBe(600);
  });

  it('writes again only when time has moved the scores', async () => {
    const { scores, rescore, later } = setup(10);
    const ctx = { getRemainingTimeInMillis: () => 60_000 };
    await rescore({ segment: 0, totalSegments: 1 }, ctx);
    const writes = scores.writes;
    const again = await rescore({ segment: 0, totalSegments: 1 }, ctx);
    expect(again.totals).toMatchObject({ scored: 0, unchanged: 10 });
    expect(scores.writes).toBe(writes);
    later('2012-03-01T00:00:00Z');
    const moved = await rescore({ segment: 0, totalSegments: 1 }, ctx);
    expect(moved.totals.scored).toBe(10);
  });

  it('re-tags as time passes (lifecycle ages without events) before scoring, writing only what changed', async () => {
    // Prepare: tags evaluated as of the last order; then half a year passes
    const { store, rescore, later } = setup(4);
    const ctx = { getRemainingTimeInMillis: () => 60_000 };
    await rescore({ segment: 0, totalSegments: 1 }, ctx);
    const before = store.profiles.get('u-0')!;
    later('2012-06-01T00:00:00Z');
    // Act
    const out = await rescore({ segment: 0, totalSegments: 1 }, ctx);
    const again = await rescore({ segment: 0, totalSegments: 1 }, ctx);
    // Assess
    const after = store.profiles.get('u-0')!;
    expect(out.totals.retagged).toBe(4);
    expect(after.tagsAsOf).toBe('2012-06-01T00:00:00.000Z');
    expect(after.tags.lifecycle).not.toBe(before.tags.lifecycle);
    expect(after.version).toBe(before.version + 1);
    expect(again.totals.retagged).toBe(0);
  });

  it('refuses malformed input with the field named', async () => {
    const { rescore } = setup(1);
    await expect(rescore({ segment: -1, totalSegments: 1 }, { getRemainingTimeInMillis: () => 1 })).rejects.toThrow(/segment/);
  });
});
