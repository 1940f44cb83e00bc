import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { campaignSchema, isValidTimeZone, validateCampaign } from '../../../schemas/campaign.ts';
import { campaignJsonSchema } from '../../../schemas/generate-json-schema.ts';
import { segmentDefinitionSchema } from '../../../schemas/segment.ts';

const email = {
  id: 'spring-2025_v2',
  name: 'Spring sale',
  channel: 'email',
  from: 'shop@example.com',
  audience: {
    segment: {
      schemaVersion: 1,
      id: 'likely-buyers',
      name: 'Likely buyers',
      where: { and: [{ field: 'scores.propensity', op: 'gte', value: 0.3 }, { not: { field: 'tags.lifecycle', op: 'eq', value: 'lapsed' } }] },
      top: { by: 'scores.propensity', percent: 20 },
    },
  },
  variants: [
    { id: 'a', weight: 2, subject: 'Hi {{traits.first_name}}', preheader: 'New in', html: '<p>Hi</p>', text: 'Hi' },
    { id: 'b', subject: 'Spring picks', html: '<p>b</p>', text: 'b' },
  ],
  holdoutPercent: 10,
  schedule: { type: 'localTime', time: '09:30', date: '2025-04-01', fallbackTimezone: 'Europe/London' },
  quietHours: { start: '21:00', end: '08:00' },
  frequencyCap: { perDay: 1, perWeek: 3 },
  goal: { event: 'Order Completed', windowHours: 72 },
  test: { percent: 20, minRuntimeHours: 48 },
  sendTime: 'scheduled',
  recommendations: { slots: 3 },
};

const errorsOf = (input: unknown) => {
  const r = validateCampaign(input);
  if (r.ok) throw new Error('expected errors');
  return r.errors;
};

describe('campaign definition', () => {
  it('accepts a full email campaign and applies defaults', () => {
    // Prepare / Act
    const r = validateCampaign(email);

    // Assess
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.campaign.schemaVersion).toBe(1);
    expect(r.campaign.variants[1].weight).toBe(1);
    expect(r.campaign.test?.alpha).toBe(0.05);
    expect(r.campaign.recommendations?.excludePurchased).toBe(true);
  });

  it('accepts minimal SMS and webhook campaigns with default schedule and send time', () => {
    // Prepare
    const sms = { id: 's1', name: 'SMS', channel: 'sms', audience: { segmentId: 'vip' }, variants: [{ id: 'a', text: 'Hi {{traits.first_name}}' }] };
    const hook = { id: 'w1', name: 'Hook', channel: 'webhook', webhook: { url: 'https://hooks.example.com/in' }, audience: { segmentId: 'vip' }, variants: [{ id: 'a', body: { user: '{{profileId}}', n: 1 } }] };

    // Act
    const a = campaignSchema.parse(sms);
    const b = campaignSchema.parse(hook);

    // Assess
    expect(a).toMatchObject({ schedule: { type: 'now' }, sendTime: 'scheduled', holdoutPercent: 0 });
    expect(b.channel).toBe('webhook');
  });

  it.each([
    ['an id with a space', { id: 'spring 2025' }, 'id'],
    ['an id longer than 80', { id: 'x'.repeat(81) }, 'id'],
    ['a bad sender', { from: 'not-an-email' }, 'from'],
    ['a holdout above 50 %', { holdoutPercent: 60 }, 'holdoutPercent'],
    ['an instant without offset', { schedule: { type: 'at', at: '2025-04-01T09:00:00' } }, 'schedule.at'],
    ['a 24:00 local time', { schedule: { type: 'localTime', time: '24:00', fallbackTimezone: 'UTC' } }, 'schedule.time'],
    ['an unknown zone', { schedule: { type: 'localTime', time: '09:00', fallbackTimezone: 'Europe/Atlantis' } }, 'schedule.fallbackTimezone'],
    ['an unknown schedule type', { schedule: { type: 'weekly' } }, 'schedule.type'],
    ['equal quiet-hour bounds', { quietHours: { start: '08:00', end: '08:00' } }, 'quietHours'],
    ['an empty cap', { frequencyCap: {} }, 'frequencyCap'],
    ['a week cap under the day cap', { frequencyCap: { perDay: 3, perWeek: 2 } }, 'frequencyCap.perWeek'],
    ['a zero goal window', { goal: { event: 'Order Completed', windowHours: 0 } }, 'goal.windowHours'],
    ['a 100 % test', { test: { percent: 100 } }, 'test.percent'],
    ['no variants', { variants: [] }, 'variants'],
    ['an audience with both forms', { audience: { segmentId: 'a', segment: email.audience.segment } }, 'audience'],
    ['an audience with neither', { audience: {} }, 'audience'],
    ['a misspelt field', { holdoutPercnt: 10 }, 'holdoutPercnt'],
    ['a send time mode', { sendTime: 'soon' }, 'sendTime'],
    ['a local time inside quiet hours', { schedule: { type: 'localTime', time: '22:00', fallbackTimezone: 'UTC' } }, 'schedule.time'],
  ])('rejects %s at its path', (_label, patch, path) => {
    expect(errorsOf({ ...email, ...patch }).map((e) => e.path)).toContain(path);
  });

  it('rejects duplicate variant ids, a test with one variant and channel-specific shapes', () => {
    expect(errorsOf({ ...email, variants: [email.variants[0], { ...email.variants[1], id: 'a' }] })).toContainEqual({ path: 'variants.1.id', message: 'duplicate variant id "a"' });
    expect(errorsOf({ ...email, variants: [email.variants[0]] }).map((e) => e.path)).toContain('test');
    expect(errorsOf({ ...email, variants: [{ id: 'a', text: 'sms text' }] }).map((e) => e.path)).toEqual(expect.arrayContaining(['variants.0.subject', 'variants.0.html']));
    expect(errorsOf({ id: 'w', name: 'w', channel: 'webhook', webhook: { url: 'http://insecure.example.com' }, audience: { segmentId: 's' }, variants: [{ id: 'a', body: {} }] }).map((e) => e.path)).toContain('webhook.url');
  });

  it('lists every wrong field at once', () => {
    // Prepare
    const bad = { ...email, id: 'no spaces please', from: 'x', holdoutPercent: -1, variants: [{ id: 'a', subject: '', html: 'h', text: 't' }, { id: 'a', subject: 's', html: 'h', text: 't' }] };

    // Act
    const paths = errorsOf(bad).map((e) => e.path);

    // Assess
    expect(paths).toEqual(expect.arrayContaining(['id', 'from', 'holdoutPercent', 'variants.0.subject', 'variants.1.id']));
  });

  it('still checks the common fields when the channel is wrong', () => {
    // Prepare / Act
    const errors = errorsOf({ ...email, channel: 'fax', id: '', frequencyCap: { perDay: 0 } });

    // Assess
    expect(errors[0]).toEqual({ path: 'channel', message: 'channel must be one of email, sms, webhook' });
    expect(errors.map((e) => e.path)).toEqual(expect.arrayContaining(['id', 'frequencyCap.perDay']));
  });

  it('refuses a non-object', () => {
    expect(errorsOf('campaign')).toEqual([{ path: '', message: 'a campaign definition is a JSON object' }]);
    expect(errorsOf(null)).toEqual([{ path: '', message: 'a campaign definition is a JSON object' }]);
  });

  it('checks zones with the runtime’s IANA database', () => {
    expect(isValidTimeZone('Asia/Kolkata')).toBe(true);
    expect(isValidTimeZone('GMT+5')).toBe(false);
  });
});

describe('segment definition', () => {
  it('accepts a nested tree over every root and refuses an unknown root or operator', () => {
    // Prepare
    const seg = (where: unknown, extra = {}) => segmentDefinitionSchema.safeParse({ schemaVersion: 1, id: 's', name: 'S', where, ...extra });

    // Act / Assess
    expect(
      seg({
        or: [
          { field: 'traits.country', op: 'in', value: ['France', 'Spain'] },
          { field: 'aggregates.lastOrderAt', op: 'gte', value: { daysAgo: 90 } },
          { field: 'consent.email.marketing', op: 'eq', value: true },
          { field: 'campaignContact.outcome', op: 'exists', value: false },
          { not: { field: 'tags.loyal', op: 'eq', value: true } },
        ],
      }).success,
    ).toBe(true);
    expect(seg({ field: 'profile.country', op: 'eq', value: 'x' }).success).toBe(false);
    expect(seg({ field: 'traits.country', op: 'like', value: 'x' }).success).toBe(false);
    expect(seg({ field: 'traits.country', op: 'in', value: [] }).success).toBe(false);
    expect(seg({ and: [] }).success).toBe(false);
    expect(seg({ field: 'traits.x', op: 'eq', value: 1 }, { top: { n: 5, percent: 10 } }).success).toBe(false);
    expect(seg({ field: 'traits.x', op: 'eq', value: 1 }, { top: { n: 5 } }).success).toBe(true);
    expect(segmentDefinitionSchema.safeParse({ schemaVersion: 2, id: 's', name: 'S', where: { field: 'traits.x', op: 'exists' } }).success).toBe(false);
  });
});

describe('campaign.schema.json', () => {
  it('is the committed output of the generator (run npx tsx schemas/generate-json-schema.ts)', () => {
    // Prepare
    const committed = readFileSync(new URL('../../../schemas/campaign.schema.json', import.meta.url), 'utf8');

    // Act
    const generated = campaignJsonSchema();

    // Assess
    expect(committed).toBe(generated);
    const parsed = JSON.parse(committed) as { oneOf: unknown[]; $defs: Record<string, unknown> };
    expect(parsed.oneOf).toHaveLength(3);
    expect(Object.keys(parsed.$defs)).toEqual(expect.arrayContaining(['SegmentDefinition', 'SegmentCondition']));
  });
});
