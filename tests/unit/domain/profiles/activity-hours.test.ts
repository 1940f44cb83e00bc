/**
 * Activity hours (functions/domain/profiles/activity-hours.ts): the histogram the Tag consumer
 * keeps in local time, and the best hour smoothed towards the population.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_COUNT,
  bestHourOfWeek,
  binOf,
  decodeActivity,
  encodeActivity,
  emptyActivity,
  hourOfWeek,
  mergeActivity,
  populationProfile,
  recordActivity,
} from '../../../../functions/domain/profiles/activity-hours.ts';
import { absorb, applyEvent, newProfile } from '../../../../functions/domain/profiles/profile.ts';
import { cleanEvent } from '../../../helpers/events.ts';

const MON = 1;
/** n activities at `hour` local (Europe/London) on successive Mondays of January 2024. */
function habit(hour: number, n: number, start?: string): string | undefined {
  let h = start;
  for (let i = 0; i < n; i++) h = recordActivity(h, `2024-01-${String(1 + 7 * (i % 4)).padStart(2, '0')}T${String(hour).padStart(2, '0')}:10:00.000Z`, 'Europe/London');
  return h;
}
const mondayBins = Array.from({ length: 24 }, (_, h) => binOf(MON, h));
/** A population that is active on Monday evenings at 20:00. */
const eveningPopulation = populationProfile(Array.from({ length: 50 }, () => habit(20, 3)));

describe('recordActivity', () => {
  it('counts in the local wall-clock hour of the zone, across DST', () => {
    // Prepare: 20:00 in London is 20:00Z in January (GMT) and 19:00Z in July (BST).
    const winter = recordActivity(undefined, '2024-01-15T20:30:00.000Z', 'Europe/London');
    const both = recordActivity(winter, '2024-07-15T19:30:00.000Z', 'Europe/London');
    // 20:30 in New York on a Monday in July is 00:30Z on Tuesday.
    const ny = recordActivity(undefined, '2024-07-16T00:30:00.000Z', 'America/New_York');

    // Act
    const counts = decodeActivity(both).counts;

    // Assess
    expect(counts[binOf(MON, 20)]).toBe(2);
    expect(counts.reduce((s, c) => s + c, 0)).toBe(2);
    expect(decodeActivity(ny).counts[binOf(MON, 20)]).toBe(1);
    expect(hourOfWeek(new Date('2024-01-15T20:30:00.000Z'), 'Not/A_Zone')).toBe(binOf(MON, 20)); // invalid zone reads as UTC
  });

  it('counts one activity per clock hour, and halves every count at MAX_COUNT', () => {
    // Prepare
    let h = recordActivity(undefined, '2024-01-15T20:01:00.000Z', 'UTC');
    h = recordActivity(h, '2024-01-15T20:59:00.000Z', 'UTC');
    const full = encodeActivity({ lastHour: 1, counts: emptyActivity().counts.map((_, i) => (i === 3 ? MAX_COUNT - 1 : i === 4 ? 5 : 0)) });

    // Act
    const halved = decodeActivity(recordActivity(full, '2024-01-14T03:00:00.000Z', 'UTC')).counts; // Sunday 03:00 = bin 3

    // Assess
    expect(decodeActivity(h).counts[binOf(MON, 20)]).toBe(1);
    expect(halved[3]).toBe(MAX_COUNT / 2);
    expect(halved[4]).toBe(2);
  });

  it('stays under 850 characters with every hour of the week at its highest count', () => {
    // Prepare
    const full = encodeActivity({ lastHour: Math.floor(Date.parse('2099-12-31T00:00:00Z') / 3_600_000), counts: emptyActivity().counts.map(() => MAX_COUNT - 1) });

    // Act / Assess
    expect(full.length).toBeLessThan(850);
    expect(decodeActivity(full).counts.every((c) => c === MAX_COUNT - 1)).toBe(true);
  });

  it('round-trips its encoding, ignores a damaged entry, and merges by adding', () => {
    // Prepare
    const a = habit(9, 2);
    const b = habit(9, 1);

    // Act
    const merged = decodeActivity(mergeActivity(a, b)).counts;

    // Assess
    expect(encodeActivity(decodeActivity(a))).toBe(a);
    // Recorded out of bin order (Tuesday, then Sunday, then Monday): still the canonical, sorted form.
    const unordered = ['2024-01-16T10:00:00.000Z', '2024-01-14T10:00:00.000Z', '2024-01-15T10:00:00.000Z'].reduce<string | undefined>((h, t) => recordActivity(h, t, 'UTC'), undefined)!;
    expect(encodeActivity(decodeActivity(unordered))).toBe(unordered);
    expect(decodeActivity('1;zz9,0a2,x').counts[10]).toBe(2);
    expect(merged[binOf(MON, 9)]).toBe(3);
    expect(mergeActivity(undefined, b)).toBe(b);
  });
});

describe('bestHourOfWeek', () => {
  it('gives a person without history, or with one order, the population hour', () => {
    // Act / Assess
    expect(bestHourOfWeek(undefined, { population: eveningPopulation }, mondayBins)).toBe(binOf(MON, 20));
    expect(bestHourOfWeek(habit(9, 1), { population: eveningPopulation }, mondayBins)).toBe(binOf(MON, 20));
  });

  it('gives a person with a strong habit their own hour', () => {
    // Act / Assess
    expect(bestHourOfWeek(habit(9, 20), { population: eveningPopulation }, mondayBins)).toBe(binOf(MON, 9));
  });

  it('prefers the hour between two habits that are an hour apart only when they tie', () => {
    // Prepare: 6 at 13:00 and 6 at 14:00; spreading gives both more than their neighbours.
    const h = habit(14, 6, habit(13, 6));

    // Act
    const best = bestHourOfWeek(h, {}, mondayBins);

    // Assess: ties go to the earlier hour
    expect(best).toBe(binOf(MON, 13));
  });
});

describe('profiles keep activity hours (Tag consumer)', () => {
  it('counts track, page and screen events in the event zone, not identify calls, campaign contacts or consent records', () => {
    // Prepare
    const p0 = newProfile('u-1', '2024-01-01T00:00:00.000Z');
    const at = '2024-07-15T19:30:00.000Z'; // Monday 20:30 in London (BST)

    // Act
    const p = [
      cleanEvent({ userId: 'u', type: 'page', timestamp: at, timezone: 'Europe/London' }),
      cleanEvent({ userId: 'u', type: 'identify', timestamp: '2024-07-15T08:00:00.000Z', timezone: 'Europe/London' }),
      cleanEvent({ userId: 'u', event: 'Campaign Contacted', timestamp: '2024-07-15T10:00:00.000Z', timezone: 'Europe/London' }),
      cleanEvent({ userId: 'u', event: 'Consent Updated', properties: { consent: { 'email.marketing': 'withdrawn' }, source: 'unsubscribe' }, timestamp: '2024-07-15T12:00:00.000Z', timezone: 'Europe/London' }),
    ].reduce(applyEvent, p0);
    const merged = absorb(p, { ...newProfile('u-2', '2024-01-02T00:00:00.000Z'), aggregates: { ...p0.aggregates, activityHours: habit(9, 2) } });

    // Assess
    const counts = decodeActivity(p.aggregates.activityHours).counts;
    expect(counts[binOf(MON, 20)]).toBe(1);
    expect(counts.reduce((s, c) => s + c, 0)).toBe(1);
    expect(decodeActivity(merged.aggregates.activityHours).counts[binOf(MON, 9)]).toBe(2);
  });
});
