import { describe, expect, it } from 'vitest';
import type { CampaignChannel } from '../../../../schemas/campaign.ts';
import { profileSchema, type Profile } from '../../../../schemas/profile.ts';
import {
  addressFor,
  capWindowsFor,
  checkEligibility,
  consentKeys,
  decidePage,
  marketingConsent,
  normaliseEmail,
  normalisePhone,
} from '../../../../functions/domain/campaigns/eligibility.ts';
import { assignArm } from '../../../../functions/domain/campaigns/arms.ts';
import type { CapWindow, FrequencyCapStore, SuppressionEntry, SuppressionList } from '../../../../functions/domain/campaigns/ports.ts';

const NOW = new Date('2025-07-01T10:00:00Z'); // 11:00 in London, 19:00 in Tokyo

function profile(id: string, over: Partial<Record<keyof Profile, unknown>> = {}): Profile {
  return profileSchema.parse({
    schemaVersion: 1,
    profileId: id,
    version: 1,
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt: '2025-01-01T00:00:00Z',
    identities: {},
    aggregates: {},
    traits: { email: `${id}@Example.test` },
    consent: { 'email.marketing': true },
    timezone: 'Europe/London',
    ...over,
  });
}

class MemorySuppressions implements SuppressionList {
  readonly entries = new Map<string, SuppressionEntry>();
  calls = 0;
  async findMany(channel: CampaignChannel, addresses: readonly string[]) {
    this.calls++;
    const out = new Map<string, SuppressionEntry>();
    for (const a of addresses) {
      const e = this.entries.get(`${channel}#${a}`);
      if (e) out.set(a, e);
    }
    return out;
  }
  async add(entry: SuppressionEntry) {
    this.entries.set(`${entry.channel}#${entry.address}`, entry);
  }
}

/** Conditional counters: all windows or none, as the DynamoDB adapter must behave. */
class MemoryCaps implements FrequencyCapStore {
  readonly counters = new Map<string, number>();
  async reserve(personId: string, windows: readonly CapWindow[]) {
    const keys = windows.map((w) => `${personId}#${w.window}#${w.key}`);
    if (windows.some((w, i) => (this.counters.get(keys[i]) ?? 0) >= w.cap)) return false;
    keys.forEach((k) => this.counters.set(k, (this.counters.get(k) ?? 0) + 1));
    return true;
  }
  async release(personId: string, windows: readonly CapWindow[]) {
    for (const w of windows) {
      const k = `${personId}#${w.window}#${w.key}`;
      this.counters.set(k, Math.max(0, (this.counters.get(k) ?? 0) - 1));
    }
  }
}

const campaign = {
  id: 'summer',
  channel: 'email' as const,
  schedule: { type: 'now' as const },
  quietHours: { start: '21:00', end: '08:00' },
  frequencyCap: { perDay: 1, perWeek: 2 },
  holdoutPercent: 0,
  variants: [{ id: 'a', weight: 1, subject: 's', html: 'h', text: 't' }],
};

describe('consent', () => {
  it('names the keys it reads', () => {
    expect(consentKeys('email')).toEqual({ combined: 'email.marketing', channel: 'email', purpose: 'marketing' });
    expect(consentKeys('sms').combined).toBe('sms.marketing');
  });

  it.each([
    [{ 'email.marketing': true }, 'granted'],
    [{ email: true, marketing: true }, 'granted'],
    [{ email: true }, 'unknown'],
    [{ marketing: true }, 'unknown'],
    [{ personalisation: true }, 'unknown'],
    [{}, 'unknown'],
    [{ 'email.marketing': false }, 'denied'],
    [{ 'email.marketing': true, marketing: false }, 'denied'],
    [{ 'email.marketing': true, email: false }, 'denied'],
    [{ 'sms.marketing': true }, 'unknown'],
  ])('%j → %s for email', (consent, state) => {
    expect(marketingConsent(consent, 'email')).toBe(state);
  });
});

describe('addresses', () => {
  it('normalises emails and phones and refuses what is not one', () => {
    expect(normaliseEmail('  Ann@Example.COM ')).toBe('ann@example.com');
    expect(normaliseEmail('not an email')).toBeUndefined();
    expect(normaliseEmail('a@b')).toBeUndefined();
    expect(normaliseEmail(42)).toBeUndefined();
    expect(normalisePhone('+44 20-7946 (0958)')).toBe('+442079460958');
    expect(normalisePhone('020 7946 0958')).toBeUndefined();
  });

  it('reads traits.email, traits.phone, and the profile id for webhooks', () => {
    const p = profile('p1', { traits: { email: 'x@y.test', phone: '+15551234567' } });
    expect(addressFor(p, 'email')).toBe('x@y.test');
    expect(addressFor(p, 'sms')).toBe('+15551234567');
    expect(addressFor(p, 'webhook')).toBe('p1');
  });
});

describe('checkEligibility', () => {
  const check = (p: Profile, suppression?: SuppressionEntry, now = NOW) => checkEligibility({ profile: p, campaign, suppression, now });

  it('lets a consenting person with an address through, now', () => {
    // Prepare / Act
    const d = check(profile('p1'));

    // Assess
    expect(d).toMatchObject({ kind: 'eligible', address: 'p1@example.test' });
  });

  it.each([
    ['merged', profile('p1', { mergedInto: 'p2' })],
    ['no_address', profile('p1', { traits: {} })],
    ['no_consent', profile('p1', { consent: {} })],
    ['no_consent', profile('p1', { consent: { email: true } })],
    ['no_consent', profile('p1', { consent: { 'email.marketing': false } })],
  ] as const)('skips with %s', (reason, p) => {
    expect(check(p)).toEqual({ kind: 'skip', reason });
  });

  it('names an unsubscribe before the consent it withdrew, and other suppressions as suppressed', () => {
    // Prepare
    const withdrawn = profile('p1', { consent: { 'email.marketing': false } });
    const entry = (reason: SuppressionEntry['reason']): SuppressionEntry => ({ channel: 'email', address: 'p1@example.test', reason, at: '2025-06-01T00:00:00Z' });

    // Act / Assess
    expect(check(withdrawn, entry('unsubscribe'))).toEqual({ kind: 'skip', reason: 'unsubscribed' });
    expect(check(profile('p1'), entry('bounce'))).toEqual({ kind: 'skip', reason: 'suppressed' });
    expect(check(profile('p1'), entry('complaint'))).toEqual({ kind: 'skip', reason: 'suppressed' });
  });

  it('defers a person in their quiet hours to the end of them', () => {
    // Prepare: 10:00Z is 19:00 in Tokyo; at 13:00Z it is 22:00 there
    const tokyo = profile('p1', { timezone: 'Asia/Tokyo' });

    // Act
    const d = check(tokyo, undefined, new Date('2025-07-01T13:00:00Z'));

    // Assess
    expect(d.kind).toBe('defer');
    if (d.kind !== 'defer') return;
    expect(d.reason).toBe('quiet_hours');
    expect(d.send.at.toISOString()).toBe('2025-07-01T23:00:00.000Z');
  });

  it('uses traits.timezone and falls back to UTC for a bad zone', () => {
    // Prepare: 22:30Z is quiet in UTC, but 18:30 (not quiet) in New York
    const now = new Date('2025-07-01T22:30:00Z');

    // Act
    const ny = check(profile('p1', { timezone: undefined, traits: { email: 'a@b.test', timezone: 'America/New_York' } }), undefined, now);
    const bad = check(profile('p2', { timezone: 'Garbage/Zone' }), undefined, now);

    // Assess
    expect(ny.kind).toBe('eligible');
    expect(bad).toMatchObject({ kind: 'defer', reason: 'quiet_hours', send: { zone: 'UTC', fellBack: true } });
  });

  it('defers a person whose scheduled local time is still ahead', () => {
    // Prepare / Act
    const d = checkEligibility({
      profile: profile('p1', { timezone: 'America/New_York' }),
      campaign: { ...campaign, schedule: { type: 'localTime', time: '09:00', date: '2025-07-01', fallbackTimezone: 'UTC' } },
      now: NOW, // 06:00 in New York
    });

    // Assess
    expect(d).toMatchObject({ kind: 'defer', reason: 'scheduled_later' });
  });
});

describe('capWindowsFor', () => {
  it('has one window per configured cap, in the person’s zone', () => {
    expect(capWindowsFor(undefined, NOW, 'UTC')).toEqual([]);
    expect(capWindowsFor({ perWeek: 3 }, NOW, 'UTC')).toEqual([{ window: 'week', key: '2025-W27', cap: 3 }]);
    expect(capWindowsFor({ perDay: 1, perWeek: 3 }, new Date('2025-06-30T23:30:00Z'), 'Asia/Tokyo')).toEqual([
      { window: 'day', key: '2025-07-01', cap: 1 },
      { window: 'week', key: '2025-W27', cap: 3 },
    ]);
  });
});

describe('decidePage', () => {
  it('looks suppressions up once per page and records a reason for everyone skipped', async () => {
    // Prepare
    const suppressions = new MemorySuppressions();
    await suppressions.add({ channel: 'email', address: 'p3@example.test', reason: 'unsubscribe', at: '2025-06-01T00:00:00Z' });
    const caps = new MemoryCaps();
    const people = [profile('p1'), profile('p2', { consent: {} }), profile('p3'), profile('p4', { traits: {} }), profile('p5', { mergedInto: 'p1' })];

    // Act
    const decisions = await decidePage(people, { campaign, now: NOW, suppressions, caps });

    // Assess
    expect(suppressions.calls).toBe(1);
    expect(decisions.map((d) => [d.personId, d.kind === 'skip' ? d.reason : d.kind])).toEqual([
      ['p1', 'send'],
      ['p2', 'no_consent'],
      ['p3', 'unsubscribed'],
      ['p4', 'no_address'],
      ['p5', 'merged'],
    ]);
  });

  it('enforces a cap shared by two campaigns at once', async () => {
    // Prepare
    const suppressions = new MemorySuppressions();
    const caps = new MemoryCaps();
    const people = [profile('p1'), profile('p2')];
    const other = { ...campaign, id: 'other' };

    // Act
    const [first, second] = await Promise.all([
      decidePage(people, { campaign, now: NOW, suppressions, caps }),
      decidePage(people, { campaign: other, now: NOW, suppressions, caps }),
    ]);

    // Assess: perDay 1, so exactly one of the two campaigns sends to each person
    for (const id of ['p1', 'p2']) {
      const sends = [...first, ...second].filter((d) => d.personId === id && d.kind === 'send');
      expect(sends).toHaveLength(1);
    }
    const capped = [...first, ...second].filter((d) => d.kind === 'skip' && d.reason === 'frequency_cap');
    expect(capped).toHaveLength(2);
    expect(capped.every((d) => d.kind === 'skip' && d.arm === 'a')).toBe(true);
  });

  it('records the holdout without reserving a cap', async () => {
    // Prepare
    const caps = new MemoryCaps();
    const held = { ...campaign, holdoutPercent: 50 };
    const people = Array.from({ length: 40 }, (_, i) => profile(`p${i}`));

    // Act
    const decisions = await decidePage(people, { campaign: held, now: NOW, suppressions: new MemorySuppressions(), caps });

    // Assess
    const holdout = decisions.filter((d) => d.kind === 'holdout');
    expect(holdout.length).toBeGreaterThan(0);
    for (const d of holdout) {
      expect(assignArm('summer', d.personId, { holdoutPercent: 50, variants: campaign.variants }).arm).toBe('holdout');
      expect([...caps.counters.keys()].some((k) => k.startsWith(`${d.personId}#`))).toBe(false);
    }
    expect(decisions.filter((d) => d.kind === 'send')).toHaveLength(40 - holdout.length);
  });

  it('sends the winner to the remainder', async () => {
    // Prepare
    const ab = { ...campaign, frequencyCap: undefined, variants: [...campaign.variants, { id: 'b', weight: 1, subject: 's', html: 'h', text: 't' }] };
    const people = Array.from({ length: 30 }, (_, i) => profile(`p${i}`));

    // Act
    const decisions = await decidePage(people, { campaign: ab, now: NOW, suppressions: new MemorySuppressions(), caps: new MemoryCaps(), winnerVariantId: 'b' });

    // Assess
    const variants = new Set(decisions.flatMap((d) => (d.kind === 'send' && d.arm.arm === 'variant' ? [d.arm.variantId] : [])));
    expect(variants).toEqual(new Set(['b']));
  });

  it('makes no suppression call for a page without addresses', async () => {
    // Prepare
    const suppressions = new MemorySuppressions();

    // Act
    const d = await decidePage([profile('p1', { traits: {} })], { campaign, now: NOW, suppressions, caps: new MemoryCaps() });

    // Assess
    expect(suppressions.calls).toBe(0);
    expect(d).toEqual([{ kind: 'skip', personId: 'p1', reason: 'no_address' }]);
  });
});
