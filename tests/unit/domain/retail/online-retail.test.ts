import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { RetailConverter, categoryOf, ukLocalToUtc, type RetailRow, type SegmentLikeEvent } from '../../../../functions/domain/retail/online-retail.ts';
import { segmentEventSchema } from '../../../../schemas/events.ts';

const rows = parse(readFileSync(new URL('../../../fixtures/retail/sample.csv', import.meta.url)), { columns: true }) as RetailRow[];

function convert() {
  const c = new RetailConverter();
  const events: SegmentLikeEvent[] = [];
  for (const r of rows) events.push(...c.push(r));
  events.push(...c.end());
  return { events, rec: c.reconcile() };
}

describe('UCI Online Retail conversion', () => {
  it('accounts for every line: accepted + corrected + rejected, per rule', () => {
    const { rec } = convert();
    expect(rec.lines).toBe(21);
    expect(rec.byRule).toEqual({ adjustment: 2, non_product_code: 6, duplicate_line: 1, zero_price: 2, negative_price: 0, non_positive_quantity: 1, unparseable: 0 });
    expect(rec.byCorrection).toEqual({ trimmed_description: 2, empty_description: 0 });
    expect(rec.accepted).toBe(7);
    expect(rec.accepted + rec.corrected + rec.rejected).toBe(21);
    expect(rec.guestLines).toBe(1);
  });

  it('makes one order event per invoice, refunds for cancellations, one identify per customer, guests anonymous', () => {
    const { events, rec } = convert();
    expect(rec.events).toEqual({ identify: 3, orderCompleted: 7, orderRefunded: 1 });
    const first = events.find((e) => e.messageId === 'retail-536365')!;
    expect(first).toMatchObject({ userId: '17850', event: 'Order Completed', properties: { revenue: 35.64, currency: 'GBP' } });
    expect((first.properties!.products as unknown[]).length).toBe(2);
    expect(events.find((e) => e.messageId === 'retail-536544')).toMatchObject({ anonymousId: 'guest-536544' });
    const refund = events.find((e) => e.messageId === 'retail-C536383')!;
    expect(refund).toMatchObject({ event: 'Order Refunded', properties: { revenue: 4.65, products: [{ quantity: 1, name: 'SET OF 3 COLOURED FLYING DUCKS' }] } });
    for (const e of events) expect(segmentEventSchema.safeParse(e).success).toBe(true);
  });

  it('converts UK shop time to UTC across both 2011 clock changes', () => {
    expect(ukLocalToUtc('2010-12-01T08:26')).toBe('2010-12-01T08:26:00.000Z');
    expect(ukLocalToUtc('2011-03-27T00:30')).toBe('2011-03-27T00:30:00.000Z');
    expect(ukLocalToUtc('2011-03-27T02:30')).toBe('2011-03-27T01:30:00.000Z');
    expect(ukLocalToUtc('2011-07-14T10:00')).toBe('2011-07-14T09:00:00.000Z');
    expect(ukLocalToUtc('2011-10-30T00:30')).toBe('2011-10-29T23:30:00.000Z');
    expect(ukLocalToUtc('2011-10-30T02:30')).toBe('2011-10-30T02:30:00.000Z');
  });

  it('derives a coarse category from the description', () => {
    expect(categoryOf('WHITE HANGING HEART T-LIGHT HOLDER')).toBe('candles');
    expect(categoryOf('JUMBO BAG RED RETROSPOT')).toBe('bags');
    expect(categoryOf('PAPER CHAIN KIT 50S CHRISTMAS')).toBe('christmas');
    expect(categoryOf('something unheard of')).toBe('other');
  });

  it('throws if the books do not balance', () => {
    const c = new RetailConverter();
    c.push(rows[0]);
    (c as unknown as { rec: { accepted: number } }).rec.accepted += 1;
    expect(() => c.reconcile()).toThrow(/reconciliation broken/);
  });
});
