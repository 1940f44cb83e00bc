import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { armDraws, armLabel, assignArm, phaseOf, pickByWeight } from '../../../../functions/domain/campaigns/arms.ts';

const plan = { holdoutPercent: 10, variants: [{ id: 'a', weight: 1 }, { id: 'b', weight: 1 }] };

describe('armDraws', () => {
  it('are three independent uniform slices of sha256(campaign NUL person)', () => {
    // Prepare
    const digest = createHash('sha256').update('c1\u0000p1').digest();

    // Act
    const draws = armDraws('c1', 'p1');

    // Assess
    expect(draws).toEqual([0, 6, 12].map((o) => digest.readUIntBE(o, 6) / 2 ** 48));
    expect(draws.every((u) => u >= 0 && u < 1)).toBe(true);
  });

  it('do not collide when ids shift characters', () => {
    expect(armDraws('a1', 'b')).not.toEqual(armDraws('a', '1b'));
  });
});

describe('pickByWeight', () => {
  it('picks by cumulative weight, and the last one at the top edge', () => {
    const items = [{ id: 'x', weight: 1 }, { id: 'y', weight: 3 }];
    expect(pickByWeight(items, 0).id).toBe('x');
    expect(pickByWeight(items, 0.2499).id).toBe('x');
    expect(pickByWeight(items, 0.25).id).toBe('y');
    expect(pickByWeight(items, 0.999999).id).toBe('y');
  });

  it('refuses no items or no weight', () => {
    expect(() => pickByWeight([], 0.5)).toThrow(RangeError);
    expect(() => pickByWeight([{ weight: 0 }], 0.5)).toThrow(RangeError);
  });
});

describe('assignArm', () => {
  it('is deterministic for a campaign and person', () => {
    // Prepare / Act
    const first = assignArm('spring', 'person-42', plan);
    const again = assignArm('spring', 'person-42', plan);

    // Assess
    expect(again).toEqual(first);
  });

  it('splits 10 000 people close to the holdout and the weights', () => {
    // Prepare
    const counts: Record<string, number> = { holdout: 0, a: 0, b: 0, c: 0 };
    const weighted = { holdoutPercent: 10, variants: [{ id: 'a', weight: 2 }, { id: 'b', weight: 1 }, { id: 'c', weight: 1 }] };

    // Act
    for (let i = 0; i < 10_000; i++) counts[armLabel(assignArm('camp', `p${i}`, weighted))]++;

    // Assess: expected 1000 / 4500 / 2250 / 2250; 5 standard deviations is a wide, fixed margin
    expect(Math.abs(counts.holdout - 1000)).toBeLessThan(5 * Math.sqrt(10_000 * 0.1 * 0.9));
    expect(Math.abs(counts.a - 4500)).toBeLessThan(5 * Math.sqrt(10_000 * 0.45 * 0.55));
    expect(Math.abs(counts.b - 2250)).toBeLessThan(5 * Math.sqrt(10_000 * 0.225 * 0.775));
    expect(Math.abs(counts.c - 2250)).toBeLessThan(5 * Math.sqrt(10_000 * 0.225 * 0.775));
  });

  it('keeps the holdout unchanged when the variant weights change', () => {
    // Prepare
    const other = { holdoutPercent: 10, variants: [{ id: 'a', weight: 9 }, { id: 'b', weight: 1 }, { id: 'c', weight: 5 }] };

    // Act
    const moved = Array.from({ length: 2000 }, (_, i) => `p${i}`).filter(
      (id) => (assignArm('camp', id, plan).arm === 'holdout') !== (assignArm('camp', id, other).arm === 'holdout'),
    );

    // Assess
    expect(moved).toEqual([]);
  });

  it('assigns differently in another campaign', () => {
    // Prepare
    const ids = Array.from({ length: 200 }, (_, i) => `p${i}`);

    // Act
    const same = ids.filter((id) => armLabel(assignArm('one', id, plan)) === armLabel(assignArm('two', id, plan))).length;

    // Assess: about half agree by chance, not all
    expect(same).toBeLessThan(160);
  });

  it('with no holdout nobody is held out, with 0 weight a variant gets nobody', () => {
    // Prepare
    const p = { holdoutPercent: 0, variants: [{ id: 'a', weight: 1 }, { id: 'z', weight: 0 }] };

    // Act
    const labels = new Set(Array.from({ length: 1000 }, (_, i) => armLabel(assignArm('c', `p${i}`, p))));

    // Assess
    expect(labels).toEqual(new Set(['a']));
  });

  it('puts the test share in phase test and the rest in remainder, consistently with phaseOf', () => {
    // Prepare
    const withTest = { ...plan, testPercent: 20 };

    // Act
    const phases = Array.from({ length: 5000 }, (_, i) => assignArm('c', `p${i}`, withTest));

    // Assess
    const test = phases.filter((a) => a.phase === 'test').length;
    expect(Math.abs(test - 1000)).toBeLessThan(5 * Math.sqrt(5000 * 0.2 * 0.8));
    phases.slice(0, 200).forEach((a, i) => expect(phaseOf('c', `p${i}`, 20)).toBe(a.phase));
    expect(phaseOf('c', 'anyone', undefined)).toBe('test');
  });
});
