/**
 * The archive's erasure reads only the objects whose days meet the person's active days
 * (functions/adapters/privacy-s3.ts mayHoldRowsOf): the bound on the archive rewrite.
 */
import { describe, expect, it } from 'vitest';
import { mayHoldRowsOf } from '../../../functions/adapters/privacy-s3.ts';

const key = (from: string, to: string) => `interactions/dt=${from}/0123456789abcdef0123456789abcdef.to-${to}.csv`;

describe('mayHoldRowsOf', () => {
  it('reads an object whose days meet the active days, at either edge, and skips one outside them', () => {
    // Prepare
    const s = { activeDays: { from: '2011-03-01', to: '2011-03-31' } };
    // Act + Assess
    expect(mayHoldRowsOf(key('2011-02-27', '2011-03-01'), s)).toBe(true);
    expect(mayHoldRowsOf(key('2011-03-31', '2011-04-02'), s)).toBe(true);
    expect(mayHoldRowsOf(key('2011-02-01', '2011-05-01'), s)).toBe(true); // spans the whole month
    expect(mayHoldRowsOf(key('2011-02-01', '2011-02-28'), s)).toBe(false);
    expect(mayHoldRowsOf(key('2011-04-01', '2011-04-01'), s)).toBe(false);
  });

  it('reads every object when the days of either side are unknown', () => {
    expect(mayHoldRowsOf('interactions/dt=2011-02-01/0123456789abcdef0123456789abcdef.csv', { activeDays: { from: '2011-03-01', to: '2011-03-31' } })).toBe(true);
    expect(mayHoldRowsOf(key('2011-02-01', '2011-02-28'), {})).toBe(true);
  });
});
