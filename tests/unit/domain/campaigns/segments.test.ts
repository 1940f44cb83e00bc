import { describe, expect, it } from 'vitest';
import { profileSchema, type Profile, type ScoresItem } from '../../../../schemas/profile.ts';
import { segmentDefinitionSchema, type SegmentDefinitionInput } from '../../../../schemas/segment.ts';
import {
  createSegmentPreview,
  matchesSegment,
  previewSegment,
  readSegmentField,
  topPercentCount,
} from '../../../../functions/domain/campaigns/segments.ts';

const NOW = new Date('2025-06-01T12:00:00Z');

function profile(id: string, over: Partial<Record<keyof Profile, unknown>> = {}): Profile {
  return profileSchema.parse({
    schemaVersion: 1,
    profileId: id,
    version: 1,
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt: '2025-01-01T00:00:00Z',
    identities: {},
    aggregates: {},
    ...over,
  });
}

function score(value: number) {
  return { value, output: 'probability' as const, base: 0, contributions: [], explanation: [], model: 'm', version: '1', at: '2025-01-01T00:00:00Z' };
}

function scoresItem(id: string, propensity: number): ScoresItem {
  return { schemaVersion: 1, profileId: id, profileVersion: 1, scores: { propensity: score(propensity) }, updatedAt: '2025-01-01T00:00:00Z' };
}

function segment(where: SegmentDefinitionInput['where'], top?: SegmentDefinitionInput['top']) {
  return segmentDefinitionSchema.parse({ schemaVersion: 1, id: 'seg', name: 'Seg', where, ...(top ? { top } : {}) });
}

describe('readSegmentField', () => {
  const p = profile('p1', {
    traits: { country: 'United Kingdom', address: { city: 'Leeds' }, 'odd.key': 7 },
    tags: { lifecycle: 'active', loyal: true },
    consent: { 'email.marketing': true },
    aggregates: { orders: 3, categories: { Kitchen: 4 } },
    campaignContact: { campaign: 'c1', at: '2025-05-01T00:00:00Z', outcome: 'converted' },
  });

  it('reads every root, nested paths and keys that contain dots', () => {
    // Prepare
    const scores = scoresItem('p1', 0.4);

    // Act
    const read = (f: string) => readSegmentField(p, scores, f);

    // Assess
    expect(read('traits.country')).toBe('United Kingdom');
    expect(read('traits.address.city')).toBe('Leeds');
    expect(read('traits.odd.key')).toBe(7);
    expect(read('tags.lifecycle')).toBe('active');
    expect(read('consent.email.marketing')).toBe(true);
    expect(read('aggregates.orders')).toBe(3);
    expect(read('aggregates.categories.Kitchen')).toBe(4);
    expect(read('campaignContact.outcome')).toBe('converted');
    expect(read('scores.propensity')).toBe(0.4);
    expect(read('scores.propensity.version')).toBe('1');
  });

  it('is undefined for missing fields and unknown roots', () => {
    // Prepare / Act / Assess
    expect(readSegmentField(p, undefined, 'traits.nothing')).toBeUndefined();
    expect(readSegmentField(p, undefined, 'scores.churn')).toBeUndefined();
    expect(readSegmentField(p, undefined, 'identities.userIds')).toBeUndefined();
    expect(readSegmentField(p, undefined, 'traits')).toBeUndefined();
  });

  it('falls back to the scores on the profile, and accepts a bare scores map', () => {
    // Prepare
    const withScores = profile('p2', { scores: { churn: score(0.9) } });

    // Act / Assess
    expect(readSegmentField(withScores, undefined, 'scores.churn')).toBe(0.9);
    expect(readSegmentField(withScores, { churn: score(0.1) }, 'scores.churn')).toBe(0.1);
  });
});

describe('matchesSegment', () => {
  const p = profile('p1', {
    traits: { country: 'France', plan: 'gold', langs: ['fr', 'en'], age: 41 },
    tags: { lifecycle: 'at_risk' },
    aggregates: { orders: 5, lastOrderAt: '2025-05-20T10:00:00.000Z', categories: { Garden: 2 } },
  });
  const s = scoresItem('p1', 0.35);
  const m = (where: SegmentDefinitionInput['where']) => matchesSegment(p, s, segment(where), { now: NOW });

  it.each([
    [{ field: 'traits.country', op: 'eq', value: 'France' }, true],
    [{ field: 'traits.country', op: 'eq', value: 'france' }, false],
    [{ field: 'traits.country', op: 'ne', value: 'Spain' }, true],
    [{ field: 'traits.missing', op: 'ne', value: 'Spain' }, true],
    [{ field: 'scores.propensity', op: 'gte', value: 0.3 }, true],
    [{ field: 'scores.propensity', op: 'gt', value: 0.35 }, false],
    [{ field: 'scores.propensity', op: 'lte', value: 0.35 }, true],
    [{ field: 'aggregates.orders', op: 'lt', value: 5 }, false],
    [{ field: 'traits.plan', op: 'in', value: ['gold', 'platinum'] }, true],
    [{ field: 'traits.plan', op: 'in', value: ['silver'] }, false],
    [{ field: 'traits.plan', op: 'exists' }, true],
    [{ field: 'traits.missing', op: 'exists', value: false }, true],
    [{ field: 'traits.missing', op: 'exists' }, false],
    [{ field: 'traits.langs', op: 'contains', value: 'en' }, true],
    [{ field: 'traits.plan', op: 'contains', value: 'ol' }, true],
    [{ field: 'aggregates.categories', op: 'contains', value: 'Garden' }, true],
    [{ field: 'aggregates.categories', op: 'contains', value: 'Toys' }, false],
    [{ field: 'aggregates.lastOrderAt', op: 'gte', value: { daysAgo: 30 } }, true],
    [{ field: 'aggregates.lastOrderAt', op: 'gte', value: { daysAgo: 5 } }, false],
    [{ field: 'aggregates.lastOrderAt', op: 'gte', value: '2025-05-20' }, true],
    // a string compared with a number never matches, in either direction
    [{ field: 'traits.country', op: 'gt', value: 3 }, false],
    [{ field: 'traits.age', op: 'gt', value: '3' }, false],
  ] as const)('%j → %s', (where, expected) => {
    // Prepare / Act / Assess
    expect(m(where as never)).toBe(expected);
  });

  it('combines with and / or / not', () => {
    // Prepare
    const france = { field: 'traits.country', op: 'eq', value: 'France' } as const;
    const spain = { field: 'traits.country', op: 'eq', value: 'Spain' } as const;
    const risky = { field: 'tags.lifecycle', op: 'eq', value: 'at_risk' } as const;

    // Act / Assess
    expect(m({ and: [france, risky] })).toBe(true);
    expect(m({ and: [spain, risky] })).toBe(false);
    expect(m({ or: [spain, risky] })).toBe(true);
    expect(m({ not: spain })).toBe(true);
    expect(m({ not: { or: [france, spain] } })).toBe(false);
  });

  it('never matches a merged profile', () => {
    // Prepare
    const merged = profile('old', { traits: { country: 'France' }, mergedInto: 'p1' });

    // Act
    const r = matchesSegment(merged, undefined, segment({ field: 'traits.country', op: 'eq', value: 'France' }));

    // Assess
    expect(r).toBe(false);
  });
});

describe('topPercentCount', () => {
  it('rounds down, keeps at least one, is 0 for nobody', () => {
    expect(topPercentCount(95, 10)).toBe(9);
    expect(topPercentCount(100, 29)).toBe(29);
    expect(topPercentCount(5, 10)).toBe(1);
    expect(topPercentCount(0, 10)).toBe(0);
    expect(topPercentCount(7, 100)).toBe(7);
  });
});

describe('segment preview', () => {
  const countries = ['United Kingdom', 'France', 'Germany', undefined];
  const lifecycles = ['active', 'new', 'at_risk', 'lapsed', undefined];
  function table(n: number) {
    const rows: { profile: Profile; scores: ScoresItem | undefined }[] = [];
    for (let i = 0; i < n; i++) {
      const id = `p${String(i).padStart(4, '0')}`;
      const country = countries[i % countries.length];
      const lifecycle = lifecycles[i % lifecycles.length];
      rows.push({
        profile: profile(id, {
          traits: country ? { country } : {},
          tags: lifecycle ? { lifecycle } : {},
          aggregates: { orders: i % 3 },
          ...(i % 50 === 49 ? { mergedInto: 'p0000' } : {}),
        }),
        // every 10th profile has no score (unranked)
        scores: i % 10 === 9 ? undefined : scoresItem(id, ((i * 37) % 101) / 100),
      });
    }
    return rows;
  }
  const rows = table(1000);
  const buyers = { field: 'aggregates.orders', op: 'gte', value: 1 } as const;

  function expected(filter: (r: (typeof rows)[number]) => boolean) {
    return rows.filter((r) => !r.profile.mergedInto && r.profile.aggregates.orders >= 1).filter(filter);
  }

  it('counts size and breakdowns in one pass, matching a brute-force count', () => {
    // Prepare
    const def = segment(buyers);
    const matched = expected(() => true);

    // Act
    const preview = previewSegment(def, rows, { now: NOW, sampleSize: 10 });

    // Assess
    expect(preview.scanned).toBe(1000);
    expect(preview.merged).toBe(20);
    expect(preview.matched).toBe(matched.length);
    expect(preview.size).toBe(matched.length);
    const byCountry = new Map<string, number>();
    for (const r of matched) {
      const c = (r.profile.traits.country as string | undefined) ?? '(unknown)';
      byCountry.set(c, (byCountry.get(c) ?? 0) + 1);
    }
    expect(Object.fromEntries(preview.breakdown.country.map((e) => [e.value, e.count]))).toEqual(Object.fromEntries(byCountry));
    expect(preview.breakdown.lifecycle.reduce((s, e) => s + e.count, 0)).toBe(matched.length);
    expect(preview.breakdown.lifecycle.map((e) => e.value)).toContain('(none)');
    // largest first
    const counts = preview.breakdown.lifecycle.map((e) => e.count);
    expect([...counts].sort((a, b) => b - a)).toEqual(counts);
    expect(preview.sample).toHaveLength(10);
    const ids = new Set(matched.map((r) => r.profile.profileId));
    expect(preview.sample.every((s) => ids.has(s.profileId))).toBe(true);
    expect(new Set(preview.sample.map((s) => s.profileId)).size).toBe(10);
  });

  it('gives the same sample for the same seed and a different one for another seed', () => {
    // Prepare
    const def = segment(buyers);

    // Act
    const a = previewSegment(def, rows, { seed: 7 }).sample.map((s) => s.profileId);
    const b = previewSegment(def, rows, { seed: 7 }).sample.map((s) => s.profileId);
    const c = previewSegment(def, rows, { seed: 8 }).sample.map((s) => s.profileId);

    // Assess
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('keeps the top N by score with a bounded heap, ties by profile id', () => {
    // Prepare
    const def = segment(buyers, { by: 'scores.propensity', n: 25 });
    const ranked = expected((r) => r.scores !== undefined)
      .map((r) => ({ id: r.profile.profileId, v: r.scores!.scores.propensity.value, r }))
      .sort((x, y) => y.v - x.v || (x.id < y.id ? -1 : 1));
    const want = ranked.slice(0, 25);

    // Act
    const preview = previewSegment(def, rows, { sampleSize: 100 });

    // Assess
    expect(preview.size).toBe(25);
    expect(new Set(preview.sample.map((s) => s.profileId))).toEqual(new Set(want.map((w) => w.id)));
    expect(preview.top?.cutoff).toEqual({ value: want[24].v, profileId: want[24].id });
    expect(preview.top?.unranked).toBe(expected((r) => r.scores === undefined).length);
    expect(preview.breakdown.country.reduce((s, e) => s + e.count, 0)).toBe(25);
  });

  it('keeps the top p % of the matched count', () => {
    // Prepare
    const def = segment(buyers, { by: 'scores.propensity', percent: 10 });
    const matched = expected(() => true);
    const k = Math.floor(matched.length * 0.1);
    const ranked = matched
      .filter((r) => r.scores !== undefined)
      .map((r) => ({ id: r.profile.profileId, v: r.scores!.scores.propensity.value }))
      .sort((x, y) => y.v - x.v || (x.id < y.id ? -1 : 1))
      .slice(0, k);

    // Act
    const preview = previewSegment(def, rows, { sampleSize: 1000 });

    // Assess
    expect(preview.matched).toBe(matched.length);
    expect(preview.size).toBe(k);
    expect(new Set(preview.sample.map((s) => s.profileId))).toEqual(new Set(ranked.map((r) => r.id)));
    expect(preview.sample.every((s) => typeof s.value === 'number')).toBe(true);
  });

  it('handles an empty audience', () => {
    // Prepare
    const def = segment({ field: 'traits.country', op: 'eq', value: 'Atlantis' }, { by: 'scores.propensity', percent: 10 });

    // Act
    const preview = previewSegment(def, rows);

    // Assess
    expect(preview).toMatchObject({ matched: 0, size: 0, sample: [], breakdown: { lifecycle: [], country: [] } });
    expect(preview.top?.cutoff).toBeUndefined();
  });

  it('reports whether each added profile matched', () => {
    // Prepare
    const acc = createSegmentPreview(segment(buyers));

    // Act
    const a = acc.add(rows[1].profile, rows[1].scores);
    const b = acc.add(rows[0].profile, rows[0].scores);

    // Assess
    expect([a, b]).toEqual([true, false]);
    expect(acc.result().matched).toBe(1);
  });
});
