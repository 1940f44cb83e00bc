/**
 * `sendTime: "optimal"` (functions/domain/campaigns/send-time.ts): each person in their best
 * local hour, inside the send window and outside quiet hours.
 */
import { describe, expect, it } from 'vitest';
import { optimalSendInstant } from '../../../../functions/domain/campaigns/send-time.ts';
import { checkEligibility, decidePage } from '../../../../functions/domain/campaigns/eligibility.ts';
import type { FrequencyCapStore, SuppressionList } from '../../../../functions/domain/campaigns/ports.ts';
import { isInQuietHours } from '../../../../functions/domain/campaigns/schedule.ts';
import { binOf, recordActivity } from '../../../../functions/domain/profiles/activity-hours.ts';
import { newProfile } from '../../../../functions/domain/profiles/profile.ts';
import { validateCampaign } from '../../../../schemas/campaign.ts';

/** n activities at local `hour` on Mondays, in `zone`. */
function habit(hour: number, n: number, zone: string, start?: string): string | undefined {
  let h = start;
  for (let i = 0; i < n; i++) {
    const day = 1 + 7 * (i % 4); // Mondays of January 2024
    const local = Date.UTC(2024, 0, day, hour, 15);
    const offset = zone === 'America/New_York' ? 5 * 3_600_000 : 0; // winter offsets: London +0, New York −5
    h = recordActivity(h, new Date(local + offset).toISOString(), zone);
  }
  return h;
}
const quiet = { start: '21:00', end: '08:00' };
// Monday 15 July 2024, 06:00Z = 07:00 in London (BST), 02:00 in New York (EDT).
const at = { type: 'at' as const, at: '2024-07-15T06:00:00Z' };
const now = new Date('2024-07-15T06:00:00Z');

describe('optimalSendInstant', () => {
  it("sends at the person's best local hour inside the window", () => {
    // Act
    const s = optimalSendInstant({ schedule: at, quietHours: quiet, timezone: 'Europe/London', now, activity: habit(20, 20, 'Europe/London') });

    // Assess: 20:00 BST, learned from winter (GMT) activity at 20:00 local
    expect(s.at.toISOString()).toBe('2024-07-15T19:00:00.000Z');
    expect(s.bestHourOfWeek).toBe(binOf(1, 20));
    expect(s.zone).toBe('Europe/London');
  });

  it('reads hours in the person zone', () => {
    // Act
    const s = optimalSendInstant({ schedule: at, timezone: 'America/New_York', now, activity: habit(9, 20, 'America/New_York') });

    // Assess: 09:00 EDT
    expect(s.at.toISOString()).toBe('2024-07-15T13:00:00.000Z');
  });

  it('starts slots on UTC hours, binned by local hour, in half-hour zones', () => {
    // Prepare: a Kolkata (UTC+05:30) habit at 13:xx local
    let activity: string | undefined;
    for (const day of [1, 8, 15, 22]) activity = recordActivity(activity, `2024-01-${String(day).padStart(2, '0')}T08:00:00.000Z`, 'Asia/Kolkata'); // 13:30 IST

    // Act
    const s = optimalSendInstant({ schedule: at, timezone: 'Asia/Kolkata', now, activity: habit(13, 0, 'UTC', activity) });

    // Assess: 08:00Z = 13:30 IST, in the "13" hour
    expect(s.at.toISOString()).toBe('2024-07-15T08:00:00.000Z');
    expect(s.bestHourOfWeek).toBe(binOf(1, 13));
  });

  it('keeps a window to the 24 hours before sendBy', () => {
    // Act: a habit at 10:00 London; sendBy three days later
    const s = optimalSendInstant({ schedule: { type: 'now' }, timezone: 'Europe/London', now, sendBy: '2024-07-18T06:00:00Z', activity: habit(10, 20, 'Europe/London') });

    // Assess: 10:00 BST on the 17th, inside [17th 06:00Z, 18th 06:00Z)
    expect(s.at.toISOString()).toBe('2024-07-17T09:00:00.000Z');
  });

  it('never sends in quiet hours: a night owl gets the best allowed hour', () => {
    // Act
    const s = optimalSendInstant({ schedule: at, quietHours: quiet, timezone: 'Europe/London', now, activity: habit(22, 20, 'Europe/London') });

    // Assess: no population preference (uniform) → the first allowed hour, 08:00 BST
    expect(isInQuietHours(s.at, quiet, 'Europe/London')).toBe(false);
    expect(s.at.toISOString()).toBe('2024-07-15T07:00:00.000Z');
  });

  it('stays inside the window: sendBy cuts off the best hour, the next best is taken', () => {
    // Prepare: a strong 20:00 habit and a weaker 10:00 one
    const activity = habit(10, 8, 'Europe/London', habit(20, 20, 'Europe/London'));

    // Act
    const s = optimalSendInstant({ schedule: at, quietHours: quiet, timezone: 'Europe/London', now, sendBy: '2024-07-15T12:00:00Z', activity });

    // Assess
    expect(s.at.toISOString()).toBe('2024-07-15T09:00:00.000Z');
  });

  it('gives the same instant at a later sweep (the window end is fixed)', () => {
    // Prepare
    const activity = habit(20, 20, 'Europe/London');
    const input = { schedule: { type: 'now' as const }, quietHours: quiet, timezone: 'Europe/London', sendBy: '2024-07-16T06:00:00Z', activity };

    // Act
    const first = optimalSendInstant({ ...input, now });
    const later = optimalSendInstant({ ...input, now: new Date('2024-07-15T15:30:00Z') });
    const due = optimalSendInstant({ ...input, now: new Date('2024-07-15T19:00:30Z') });

    // Assess
    expect(first.at.toISOString()).toBe('2024-07-15T19:00:00.000Z');
    expect(later.at.toISOString()).toBe(first.at.toISOString());
    expect(due.at.toISOString()).toBe('2024-07-15T19:00:30.000Z'); // inside the best hour: now
  });

  it('falls back to the end of quiet hours when the whole window is quiet', () => {
    // Act: 22:00 to 23:00 BST, all quiet
    const s = optimalSendInstant({ schedule: { type: 'at', at: '2024-07-15T21:00:00Z' }, sendBy: '2024-07-15T22:00:00Z', quietHours: quiet, timezone: 'Europe/London', now, activity: habit(20, 20, 'Europe/London') });

    // Assess: 08:00 BST the next morning, deferred
    expect(s.at.toISOString()).toBe('2024-07-16T07:00:00.000Z');
    expect(s.deferred).toBe(true);
    expect(s.bestHourOfWeek).toBeUndefined();
  });
});

describe('campaigns with sendTime optimal', () => {
  it('defer each person to their best hour (eligibility)', () => {
    // Prepare
    const profile = { ...newProfile('p1', '2024-01-01T00:00:00Z'), timezone: 'Europe/London', traits: { email: 'a@example.com' }, consent: { 'email.marketing': true } };
    profile.aggregates = { ...profile.aggregates, activityHours: habit(20, 20, 'Europe/London') };

    // Act
    const d = checkEligibility({ profile, campaign: { channel: 'email', schedule: at, quietHours: quiet, sendTime: 'optimal' }, now });

    // Assess
    expect(d.kind).toBe('defer');
    if (d.kind === 'defer') expect(d.send.at.toISOString()).toBe('2024-07-15T19:00:00.000Z');
  });

  it("smooth a person without history towards the page's population (decidePage)", async () => {
    // Prepare: nine evening people and one without any history
    const person = (id: string, activity?: string) => {
      const p = { ...newProfile(id, '2024-01-01T00:00:00Z'), timezone: 'Europe/London', traits: { email: `${id}@example.com` }, consent: { 'email.marketing': true } };
      return { ...p, aggregates: { ...p.aggregates, ...(activity ? { activityHours: activity } : {}) } };
    };
    const people = [...Array.from({ length: 9 }, (_, i) => person(`e${i}`, habit(19, 20, 'Europe/London'))), person('new')];
    const suppressions: SuppressionList = { findMany: async () => new Map(), add: async () => {} };
    const caps: FrequencyCapStore = { reserve: async () => true, release: async () => {} };
    const campaign = { id: 'c1', channel: 'email' as const, schedule: at, quietHours: quiet, holdoutPercent: 0, variants: [{ id: 'a', weight: 1, subject: 's', html: 'h', text: 't' }], sendTime: 'optimal' as const };

    // Act
    const decisions = await decidePage(people, { campaign, now, suppressions, caps });

    // Assess: the newcomer goes at the population's 19:00 BST, not the first hour of the window
    const newcomer = decisions.find((d) => d.personId === 'new');
    expect(newcomer?.kind).toBe('defer');
    if (newcomer?.kind === 'defer') expect(newcomer.until.toISOString()).toBe('2024-07-15T18:00:00.000Z');
  });

  it('need a window end unless the schedule is dated', () => {
    // Prepare
    const base = { id: 'c1', name: 'C', channel: 'sms', audience: { segmentId: 'vip' }, variants: [{ id: 'a', text: 'Hi' }], sendTime: 'optimal' };

    // Act
    const now = validateCampaign(base);
    const nowWithEnd = validateCampaign({ ...base, sendBy: '2024-07-16T06:00:00Z' });
    const dated = validateCampaign({ ...base, schedule: at });
    const endBeforeStart = validateCampaign({ ...base, schedule: at, sendBy: '2024-07-15T05:00:00Z' });

    // Assess
    expect(now.ok ? [] : now.errors.map((e) => e.path)).toEqual(['sendBy']);
    expect(nowWithEnd.ok).toBe(true);
    expect(dated.ok).toBe(true);
    expect(endBeforeStart.ok ? [] : endBeforeStart.errors.map((e) => e.path)).toEqual(['sendBy']);
  });
});
