import { describe, expect, it } from 'vitest';
import { drawResponses, emitResponses, type SimRecipient } from '../../../local/simulate-responses.ts';
import { sesFeedbackEvent } from '../../../local/ses-feedback.ts';
import { readSendTags } from '../../../functions/adapters/ses-email-sender.ts';

const T0 = '2026-03-01T10:00:00.000Z';
const people = (arm: string, n: number, sent = arm !== 'holdout'): SimRecipient[] => Array.from({ length: n }, (_, i) => ({ campaignId: 'c', personId: `${arm}-${i}`, arm, start: T0, sent, userId: `${arm}-${i}` }));
const plan = { seed: 1, arms: { holdout: { conversion: 0.05 }, a: { conversion: 0.1, click: 0.2 }, b: { conversion: 0.3 } } };

describe('drawResponses', () => {
  it('is seeded per person: the same seed gives the same responses in any order', () => {
    const r = [...people('a', 200), ...people('b', 200)];
    const one = drawResponses(r, plan).map((x) => `${x.recipient.personId}:${x.kind}`).sort();
    const two = drawResponses([...r].reverse(), plan).map((x) => `${x.recipient.personId}:${x.kind}`).sort();
    expect(two).toEqual(one);
    expect(drawResponses(r, { ...plan, seed: 2 }).map((x) => `${x.recipient.personId}:${x.kind}`).sort()).not.toEqual(one);
  });

  it('plants the rates (within sampling error) and gives the holdout conversions only', () => {
    const out = drawResponses([...people('holdout', 4000), ...people('b', 4000)], plan);
    const rate = (arm: string, kind: string) => out.filter((x) => x.recipient.arm === arm && x.kind === kind).length / 4000;
    expect(Math.abs(rate('b', 'conversion') - 0.3)).toBeLessThan(0.03);
    expect(Math.abs(rate('holdout', 'conversion') - 0.05)).toBeLessThan(0.015);
    expect(out.filter((x) => x.recipient.arm === 'holdout' && x.kind !== 'conversion')).toEqual([]);
  });
});

describe('emitResponses', () => {
  it('sends SES events the feedback handler can read and goal events through track, holding back what is not due', async () => {
    const events: unknown[] = [];
    const tracked: unknown[] = [];
    const r = await emitResponses(drawResponses(people('a', 300), plan), { feedback: async (e) => void events.push(e), track: async (t) => void tracked.push(...t), now: new Date(Date.parse(T0) + 3_600_000), hourMs: 3_600_000 });
    const drawn = drawResponses(people('a', 300), plan);
    // A one-hour clock: conversions (mean delay 24 h) mostly are not due yet; every response is sent or pending.
    expect(r.conversions).toBeLessThan(drawn.filter((x) => x.kind === 'conversion').length);
    expect(r.conversions + r.pending + Object.values(r.feedback).reduce((a, b) => a + b, 0)).toBe(drawn.length);
    expect(tracked.length).toBe(r.conversions);
    const e = sesFeedbackEvent({ type: 'bounce', campaignId: 'c', personId: 'p 1', variantId: 'a', recipient: 'x@example.test' });
    expect(readSendTags(e.detail.mail.tags)).toEqual({ campaignId: 'c', personId: 'p 1', variantId: 'a' });
    expect(e.detail).toMatchObject({ eventType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'x@example.test' }] } });
    expect(events.length).toBe(r.feedback.delivery + r.feedback.bounce + r.feedback.complaint + r.feedback.click);
  });
});
