import { describe, expect, it } from 'vitest';
import {
  bucketBySendTime,
  capWindowKeys,
  formatOffset,
  isInQuietHours,
  isValidTimeZone,
  localParts,
  nextAllowedSendInstant,
  nextLocalTime,
  offsetMinutes,
  parseTimeOfDay,
  personTimeZone,
  resolveTimeZone,
  zonedTimeToInstant,
} from '../../../../functions/domain/campaigns/schedule.ts';

const iso = (d: Date) => d.toISOString();
const at = (s: string) => new Date(s);
const QUIET = { start: '21:00', end: '08:00' };

describe('time zone validity and fallback', () => {
  it('accepts IANA zones and refuses garbage', () => {
    // Prepare / Act / Assess
    expect(isValidTimeZone('Europe/London')).toBe(true);
    expect(isValidTimeZone('Asia/Kolkata')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone(42)).toBe(false);
  });

  it('falls back to the campaign zone for a missing or invalid person zone', () => {
    // Prepare / Act / Assess
    expect(resolveTimeZone('Not/AZone', 'Europe/Paris')).toEqual({ zone: 'Europe/Paris', fellBack: true });
    expect(resolveTimeZone(undefined, 'Europe/Paris')).toEqual({ zone: 'Europe/Paris', fellBack: true });
    expect(personTimeZone({ timezone: 'America/New_York', traits: {} }, 'UTC')).toEqual({ zone: 'America/New_York', fellBack: false });
    expect(personTimeZone({ timezone: 'bogus', traits: { timezone: 'Asia/Tokyo' } }, 'UTC')).toEqual({ zone: 'Asia/Tokyo', fellBack: false });
    expect(personTimeZone({ traits: { timezone: 3 } }, 'UTC')).toEqual({ zone: 'UTC', fellBack: true });
  });

  it('rejects a malformed time of day', () => {
    expect(() => parseTimeOfDay('24:00')).toThrow(RangeError);
    expect(() => parseTimeOfDay('9:00')).toThrow(RangeError);
    expect(parseTimeOfDay('09:05')).toEqual({ hour: 9, minute: 5 });
  });
});

describe('offsets and wall clocks', () => {
  it.each([
    ['Europe/London', '2025-01-15T12:00:00Z', 0],
    ['Europe/London', '2025-07-15T12:00:00Z', 60],
    ['America/New_York', '2025-01-15T12:00:00Z', -300],
    ['America/New_York', '2025-07-15T12:00:00Z', -240],
    ['Asia/Kolkata', '2025-07-15T12:00:00Z', 330],
    ['Asia/Kathmandu', '2025-07-15T12:00:00Z', 345],
  ])('%s at %s is %i minutes', (zone, instant, minutes) => {
    expect(offsetMinutes(at(instant), zone)).toBe(minutes);
  });

  it('reads midnight as hour 0', () => {
    // Prepare / Act
    const p = localParts(at('2025-01-15T00:00:00Z'), 'UTC');

    // Assess
    expect(p).toMatchObject({ year: 2025, month: 1, day: 15, hour: 0, minute: 0, weekday: 3 });
  });

  it('finds the instant of a wall time on ordinary days', () => {
    expect(iso(zonedTimeToInstant({ year: 2025, month: 7, day: 1, hour: 9, minute: 0 }, 'Asia/Kolkata'))).toBe('2025-07-01T03:30:00.000Z');
    expect(iso(zonedTimeToInstant({ year: 2025, month: 7, day: 1, hour: 9, minute: 0 }, 'America/New_York'))).toBe('2025-07-01T13:00:00.000Z');
    expect(iso(zonedTimeToInstant({ year: 2025, month: 1, day: 1, hour: 0, minute: 15 }, 'Asia/Kathmandu'))).toBe('2024-12-31T18:30:00.000Z');
  });

  describe('DST transition days', () => {
    it('London spring forward: 01:30 does not exist and moves past the gap; 09:00 is BST', () => {
      const wall = (hour: number, minute: number) => iso(zonedTimeToInstant({ year: 2025, month: 3, day: 30, hour, minute }, 'Europe/London'));
      expect(wall(0, 30)).toBe('2025-03-30T00:30:00.000Z');
      expect(wall(1, 30)).toBe('2025-03-30T01:30:00.000Z'); // = 02:30 BST
      expect(wall(9, 0)).toBe('2025-03-30T08:00:00.000Z');
    });

    it('London fall back: 01:30 happens twice and the earlier one is taken; 09:00 is GMT', () => {
      const wall = (hour: number, minute: number) => iso(zonedTimeToInstant({ year: 2025, month: 10, day: 26, hour, minute }, 'Europe/London'));
      expect(wall(1, 30)).toBe('2025-10-26T00:30:00.000Z');
      expect(wall(9, 0)).toBe('2025-10-26T09:00:00.000Z');
    });

    it('New York spring forward: 02:30 moves to 03:30 EDT; 09:00 is EDT', () => {
      const wall = (hour: number, minute: number) => iso(zonedTimeToInstant({ year: 2025, month: 3, day: 9, hour, minute }, 'America/New_York'));
      expect(wall(2, 30)).toBe('2025-03-09T07:30:00.000Z');
      expect(wall(9, 0)).toBe('2025-03-09T13:00:00.000Z');
      expect(wall(1, 59)).toBe('2025-03-09T06:59:00.000Z');
    });

    it('New York fall back: 01:30 twice → the EDT one; 09:00 is EST', () => {
      const wall = (hour: number, minute: number) => iso(zonedTimeToInstant({ year: 2025, month: 11, day: 2, hour, minute }, 'America/New_York'));
      expect(wall(1, 30)).toBe('2025-11-02T05:30:00.000Z');
      expect(wall(9, 0)).toBe('2025-11-02T14:00:00.000Z');
    });

    it('the next 09:00 across the change is 23 hours (spring) or 25 hours (autumn) after the previous one', () => {
      // Prepare
      const sat = nextLocalTime(at('2025-03-29T00:00:00Z'), '09:00', 'Europe/London');
      const satAutumn = nextLocalTime(at('2025-10-25T00:00:00Z'), '09:00', 'Europe/London');

      // Act
      const sun = nextLocalTime(new Date(sat.getTime() + 1), '09:00', 'Europe/London');
      const sunAutumn = nextLocalTime(new Date(satAutumn.getTime() + 1), '09:00', 'Europe/London');

      // Assess
      expect((sun.getTime() - sat.getTime()) / 3_600_000).toBe(23);
      expect((sunAutumn.getTime() - satAutumn.getTime()) / 3_600_000).toBe(25);
    });
  });
});

describe('quiet hours', () => {
  it('spans midnight in the person’s zone', () => {
    // 22:00 in London (BST) is 21:00Z
    expect(isInQuietHours(at('2025-07-01T21:00:00Z'), QUIET, 'Europe/London')).toBe(true);
    expect(isInQuietHours(at('2025-07-01T19:59:00Z'), QUIET, 'Europe/London')).toBe(false);
    expect(isInQuietHours(at('2025-07-01T06:59:00Z'), QUIET, 'Europe/London')).toBe(true); // 07:59 BST
    expect(isInQuietHours(at('2025-07-01T07:00:00Z'), QUIET, 'Europe/London')).toBe(false); // 08:00 BST: end is exclusive
    // 12:00Z is 17:30 in Kolkata (not quiet) and 08:00 in New York (not quiet), 21:00 in Tokyo (quiet)
    expect(isInQuietHours(at('2025-07-01T12:00:00Z'), QUIET, 'Asia/Kolkata')).toBe(false);
    expect(isInQuietHours(at('2025-07-01T12:00:00Z'), QUIET, 'Asia/Tokyo')).toBe(true);
  });

  it('works for a window within one day', () => {
    const lunch = { start: '12:00', end: '14:00' };
    expect(isInQuietHours(at('2025-07-01T12:30:00Z'), lunch, 'UTC')).toBe(true);
    expect(isInQuietHours(at('2025-07-01T14:00:00Z'), lunch, 'UTC')).toBe(false);
  });
});

describe('nextAllowedSendInstant', () => {
  it('sends now when the schedule is now and it is not quiet', () => {
    // Prepare
    const now = at('2025-07-01T10:00:00Z');

    // Act
    const t = nextAllowedSendInstant({ schedule: { type: 'now' }, quietHours: QUIET, timezone: 'Europe/London', now });

    // Assess
    expect(t).toMatchObject({ zone: 'Europe/London', deferred: false, fellBack: false, late: false, offsetMinutes: 60 });
    expect(iso(t.at)).toBe('2025-07-01T10:00:00.000Z');
  });

  it('defers to the end of quiet hours in the person’s zone', () => {
    // Prepare: 13:00Z is 22:00 in Tokyo (quiet)
    const now = at('2025-07-01T13:00:00Z');

    // Act
    const t = nextAllowedSendInstant({ schedule: { type: 'now' }, quietHours: QUIET, timezone: 'Asia/Tokyo', now });

    // Assess: 08:00 JST next day = 23:00Z
    expect(t.deferred).toBe(true);
    expect(iso(t.at)).toBe('2025-07-01T23:00:00.000Z');
  });

  it('defers to 08:00 local on the London fall-back night (in GMT, not BST)', () => {
    // Prepare: 00:30Z on 26 Oct is 01:30 BST
    const now = at('2025-10-26T00:30:00Z');

    // Act
    const t = nextAllowedSendInstant({ schedule: { type: 'now' }, quietHours: QUIET, timezone: 'Europe/London', now });

    // Assess
    expect(iso(t.at)).toBe('2025-10-26T08:00:00.000Z');
    expect(t.offsetMinutes).toBe(0);
  });

  it('never sends before `now` for an instant in the past', () => {
    // Prepare
    const now = at('2025-07-01T10:00:00Z');

    // Act
    const past = nextAllowedSendInstant({ schedule: { type: 'at', at: '2025-06-01T00:00:00Z' }, timezone: 'UTC', now });
    const future = nextAllowedSendInstant({ schedule: { type: 'at', at: '2025-07-02T09:00:00+02:00' }, timezone: 'UTC', now });

    // Assess
    expect(iso(past.at)).toBe('2025-07-01T10:00:00.000Z');
    expect(iso(future.at)).toBe('2025-07-02T07:00:00.000Z');
  });

  it('sends a local-time schedule at 09:00 in each zone', () => {
    // Prepare
    const now = at('2025-03-08T00:00:00Z');
    const schedule = { type: 'localTime' as const, time: '09:00', date: '2025-03-09', fallbackTimezone: 'Europe/London' };

    // Act
    const ny = nextAllowedSendInstant({ schedule, quietHours: QUIET, timezone: 'America/New_York', now });
    const kolkata = nextAllowedSendInstant({ schedule, quietHours: QUIET, timezone: 'Asia/Kolkata', now });
    const unknown = nextAllowedSendInstant({ schedule, quietHours: QUIET, timezone: 'Nowhere/City', now });

    // Assess: New York has just moved to EDT that morning
    expect(iso(ny.at)).toBe('2025-03-09T13:00:00.000Z');
    expect(ny.offsetMinutes).toBe(-240);
    expect(iso(kolkata.at)).toBe('2025-03-09T03:30:00.000Z');
    expect(unknown).toMatchObject({ zone: 'Europe/London', fellBack: true });
    expect(iso(unknown.at)).toBe('2025-03-09T09:00:00.000Z');
  });

  it('sends at once, marked late, when a dated local time has passed for the person', () => {
    // Prepare: 09:00 on 1 July in Kolkata is 03:30Z, already passed at 05:00Z
    const now = at('2025-07-01T05:00:00Z');

    // Act
    const t = nextAllowedSendInstant({ schedule: { type: 'localTime', time: '09:00', date: '2025-07-01', fallbackTimezone: 'UTC' }, timezone: 'Asia/Kolkata', now });

    // Assess
    expect(t.late).toBe(true);
    expect(iso(t.at)).toBe(iso(now));
  });

  it('without a date, takes the next occurrence of the local time', () => {
    // Prepare: 10:00 London BST has passed at 10:00Z (11:00 BST)
    const now = at('2025-07-01T10:00:00Z');

    // Act
    const t = nextAllowedSendInstant({ schedule: { type: 'localTime', time: '10:00', fallbackTimezone: 'UTC' }, timezone: 'Europe/London', now });

    // Assess
    expect(iso(t.at)).toBe('2025-07-02T09:00:00.000Z');
  });
});

describe('bucketBySendTime', () => {
  it('groups people by UTC offset at send time, earliest first, with one bucket per distinct instant', () => {
    // Prepare
    const people = [
      { personId: 'ny1', timezone: 'America/New_York' },
      { personId: 'in1', timezone: 'Asia/Kolkata' },
      { personId: 'ldn', timezone: 'Europe/London' },
      { personId: 'lis', timezone: 'Europe/Lisbon' }, // same offset as London
      { personId: 'ny2', timezone: 'America/Toronto' },
      { personId: 'bad', timezone: 'Nope/Nope' }, // falls back to London
    ];

    // Act
    const buckets = bucketBySendTime(people, {
      schedule: { type: 'localTime', time: '09:00', date: '2025-07-01', fallbackTimezone: 'Europe/London' },
      quietHours: QUIET,
      now: at('2025-06-30T00:00:00Z'),
    });

    // Assess
    expect(buckets).toEqual([
      { startAt: '2025-07-01T03:30:00.000Z', offsets: ['+05:30'], personIds: ['in1'] },
      { startAt: '2025-07-01T08:00:00.000Z', offsets: ['+01:00'], personIds: ['ldn', 'lis', 'bad'] },
      { startAt: '2025-07-01T13:00:00.000Z', offsets: ['-04:00'], personIds: ['ny1', 'ny2'] },
    ]);
  });

  it('formats offsets', () => {
    expect(formatOffset(330)).toBe('+05:30');
    expect(formatOffset(-210)).toBe('-03:30');
    expect(formatOffset(0)).toBe('+00:00');
  });
});

describe('capWindowKeys', () => {
  it('uses the local date and the ISO week', () => {
    // 2025-12-29 is Monday of ISO week 2026-W01; 23:30Z on 28 Dec is already the 29th in Kolkata
    expect(capWindowKeys(at('2025-12-28T23:30:00Z'), 'Asia/Kolkata')).toEqual({ day: '2025-12-29', week: '2026-W01' });
    expect(capWindowKeys(at('2025-12-28T23:30:00Z'), 'UTC')).toEqual({ day: '2025-12-28', week: '2025-W52' });
    expect(capWindowKeys(at('2021-01-03T12:00:00Z'), 'UTC')).toEqual({ day: '2021-01-03', week: '2020-W53' });
  });
});
