import { describe, expect, it } from 'vitest';
import { recordFeedback, type SesFeedback } from '../../../../functions/domain/campaigns/record-feedback.ts';
import type { FeedbackStore, SendEvent, SendKey, SuppressionEntry, SuppressionList } from '../../../../functions/domain/campaigns/ports.ts';

function fakes() {
  const events: { key: SendKey; event: SendEvent }[] = [];
  const suppressed: SuppressionEntry[] = [];
  const seen = new Set<string>();
  const records: FeedbackStore = {
    recordEvent: async (key, event) => {
      if (event.eventId && seen.has(event.eventId)) return 'duplicate';
      if (event.eventId) seen.add(event.eventId);
      events.push({ key, event });
      return 'recorded';
    },
  };
  const suppressions: SuppressionList = { findMany: async () => new Map(), add: async (e) => void suppressed.push(e) };
  return { events, suppressed, deps: { records, suppressions } };
}
const key = { campaignId: 'c1', personId: 'u-1' };
const base: SesFeedback = { eventId: 'e1', eventType: 'Delivery', key, recipients: ['ann@example.test'], at: '2026-11-30T10:00:00.000Z' };

describe('recordFeedback', () => {
  it('records a delivery once per event id and suppresses nobody', async () => {
    // Prepare
    const f = fakes();
    // Act
    const first = await recordFeedback(base, f.deps);
    const again = await recordFeedback(base, f.deps);
    // Assess
    expect([first, again]).toEqual(['recorded', 'duplicate']);
    expect(f.events).toHaveLength(1);
    expect(f.events[0].event).toMatchObject({ type: 'delivery', at: base.at, eventId: 'e1' });
    expect(f.suppressed).toEqual([]);
  });

  it('suppresses a permanent bounce and a complaint, not a transient bounce or an open', async () => {
    const f = fakes();
    await recordFeedback({ ...base, eventId: 'b1', eventType: 'Bounce', bounceType: 'Permanent' }, f.deps);
    await recordFeedback({ ...base, eventId: 'b2', eventType: 'Bounce', bounceType: 'Transient' }, f.deps);
    await recordFeedback({ ...base, eventId: 'c1', eventType: 'Complaint', recipients: ['bob@example.test'] }, f.deps);
    await recordFeedback({ ...base, eventId: 'o1', eventType: 'Open' }, f.deps);
    expect(f.suppressed.map((s) => [s.address, s.reason])).toEqual([
      ['ann@example.test', 'bounce'],
      ['bob@example.test', 'complaint'],
    ]);
    expect(f.events.map((e) => e.event.type)).toEqual(['bounce', 'bounce', 'complaint', 'open']);
  });

  it('ignores events of mail that was not a campaign send, and event types with nothing to record', async () => {
    const f = fakes();
    expect(await recordFeedback({ ...base, key: undefined }, f.deps)).toBe('ignored');
    expect(await recordFeedback({ ...base, eventType: 'Send' }, f.deps)).toBe('ignored');
    expect(f.events).toEqual([]);
  });
});
