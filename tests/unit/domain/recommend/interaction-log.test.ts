import { describe, expect, it } from 'vitest';
import {
  encodeInteractionLog,
  interactionLogDays,
  interactionLogKey,
  interactionsFromEvents,
  InvalidInteractionLogError,
  purchasesForTraining,
  readInteractionLog,
} from '../../../../functions/domain/recommend/interaction-log.ts';
import { cleanEvent, order } from '../../../helpers/events.ts';

describe('interaction log', () => {
  it('turns completed orders into one purchase per product and product views into views; skips the rest', () => {
    // Prepare
    const events = [
      order('ada', '2011-06-01T10:00:00.000Z', 30, { properties: { country: 'France' } }),
      cleanEvent({ anonymousId: 'anon-1', event: 'Product Viewed', properties: { product_id: 'p9' }, timestamp: '2011-06-02T00:00:00.000Z' }),
      cleanEvent({ userId: 'ada', event: 'Order Refunded', order: { revenue: 5, products: [{ productId: 'p1', price: 5, quantity: 1 }] } }),
      cleanEvent({ type: 'identify', userId: 'ada' }),
      cleanEvent({ event: 'Product Viewed', properties: { product_id: 'p1' } }), // nobody
    ];
    // Act
    const rows = interactionsFromEvents(events);
    // Assess
    expect(rows).toEqual([
      { userId: 'ada', itemId: 'p1', timestamp: Date.parse('2011-06-01T10:00:00Z') / 1000, eventType: 'purchase', quantity: 2, country: 'France' },
      { userId: 'anon-1', itemId: 'p9', timestamp: Date.parse('2011-06-02T00:00:00Z') / 1000, eventType: 'view', quantity: 1 },
    ]);
  });

  it('round-trips through CSV, quoting ids with commas and quotes, and drops lines archived twice', () => {
    // Prepare
    const rows = [
      { userId: 'a,"b"', itemId: 'X 1', timestamp: 1_300_000_000, eventType: 'purchase' as const, quantity: 3, country: 'United Kingdom' },
      { userId: 'c', itemId: 'Y', timestamp: 1_300_000_100, eventType: 'view' as const, quantity: 1 },
    ];
    const csv = encodeInteractionLog(rows);
    // Act
    const back = readInteractionLog([csv, csv]);
    // Assess
    expect(csv.split('\n')[0]).toBe('USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,QUANTITY,COUNTRY');
    expect(back).toEqual(rows);
    expect(purchasesForTraining(back)).toEqual([{ userId: 'a,"b"', itemId: 'X 1', timestamp: 1_300_000_000_000, quantity: 3, country: 'United Kingdom' }]);
  });

  it('refuses a file that is not an interaction log, naming the line', () => {
    expect(() => readInteractionLog(['a,b\n1,2\n'])).toThrow(InvalidInteractionLogError);
    expect(() => readInteractionLog(['USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,QUANTITY,COUNTRY\nu,i,yesterday,purchase,1,\n'])).toThrow(/line 2/);
  });

  it('keys a batch by its messageIds, whatever their order, and by the days of its earliest and latest rows', () => {
    // Act
    const at = (iso: string) => Date.parse(iso) / 1000;
    const a = interactionLogKey(['m2', 'm1'], at('2011-06-01T23:59:59Z'), at('2011-06-03T00:00:01Z'));
    const b = interactionLogKey(['m1', 'm2'], at('2011-06-01T23:59:59Z'), at('2011-06-03T00:00:01Z'));
    // Assess
    expect(a).toBe(b);
    expect(a).toMatch(/^interactions\/dt=2011-06-01\/[0-9a-f]{32}\.to-2011-06-03\.csv$/);
    expect(interactionLogDays(a)).toEqual({ from: '2011-06-01', to: '2011-06-03' });
    expect(interactionLogDays(interactionLogKey(['m1'], 0))).toEqual({ from: '1970-01-01', to: '1970-01-01' });
    expect(interactionLogKey(['m1'], 0)).not.toBe(a);
    expect(interactionLogDays('interactions/dt=2011-06-01/0123456789abcdef0123456789abcdef.csv')).toBeUndefined(); // an older key: days unknown
  });
});
