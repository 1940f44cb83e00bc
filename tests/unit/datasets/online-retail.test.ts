import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import {
  PRODUCTS_PER_EVENT,
  RetailConverter,
  categoryOf,
  classifyRetailLine,
  isNonProductCode,
  ukLocalToUtc,
  type RetailProduct,
  type RetailRow,
} from '../../../datasets/online-retail.ts';
import { MAX_EVENT_BYTES, segmentEventSchema, type SegmentLikeEvent } from '../../../schemas/events.ts';

const rows = parse(readFileSync(new URL('../../fixtures/retail/sample.csv', import.meta.url)), { columns: true }) as RetailRow[];

function convert(input: RetailRow[] = rows) {
  const c = new RetailConverter();
  const events: SegmentLikeEvent[] = [];
  for (const r of input) events.push(...c.push(r));
  events.push(...c.end());
  return { events, rec: c.reconcile() };
}
const byId = (events: SegmentLikeEvent[], id: string) => events.find((e) => e.messageId === id)!;
const productsOf = (e: SegmentLikeEvent) => e.properties!.products as RetailProduct[];
const row = (over: Partial<RetailRow>): RetailRow => ({
  InvoiceNo: '600000',
  StockCode: '22423',
  Description: 'REGENCY CAKESTAND 3 TIER',
  Quantity: '1',
  InvoiceDate: '2011-05-01T10:00',
  UnitPrice: '12.75',
  CustomerID: '12347',
  Country: 'Iceland',
  ...over,
});

describe('UCI Online Retail conversion: reconciliation', () => {
  it('accounts for every fixture line as accepted, corrected or rejected by one rule', () => {
    // Act
    const { rec } = convert();

    // Assess
    expect(rec.lines).toBe(39);
    expect(rec.byRule).toEqual({ unparseable: 0, adjustment: 2, non_product_code: 11, duplicate_line: 2, zero_price: 2, negative_price: 1, non_positive_quantity: 1 });
    expect(rec.byCorrection).toEqual({ trimmed_description: 5, empty_description: 1 });
    expect({ accepted: rec.accepted, corrected: rec.corrected, rejected: rec.rejected }).toEqual({ accepted: 14, corrected: 6, rejected: 19 });
    expect(rec.guestLines).toBe(3);
    expect(rec.invoices).toBe(17);
    expect(rec.reopenedInvoices).toBe(1);
    expect(rec.customers).toBe(8);
    expect(rec.events).toEqual({ identify: 8, orderCompleted: 15, orderRefunded: 3 });
  });

  it('counts rows that cannot be read as unparseable instead of failing', () => {
    // Prepare
    const bad = [row({ Quantity: '' }), row({ UnitPrice: 'n/a' }), row({ InvoiceDate: '01/05/2011 10:00' }), row({ StockCode: ' ' }), row({ InvoiceNo: '' })];

    // Act
    const { events, rec } = convert(bad);

    // Assess
    expect(events).toEqual([]);
    expect(rec.byRule.unparseable).toBe(5);
    expect(rec.rejected).toBe(5);
  });

  it('throws if the books do not balance', () => {
    // Prepare
    const c = new RetailConverter();
    c.push(rows[0]);
    (c as unknown as { rec: { accepted: number } }).rec.accepted += 1;

    // Act, Assess
    expect(() => c.reconcile()).toThrow(/reconciliation broken/);
  });

  it('keeps the invariant and valid events for any rows (property)', () => {
    const arbRow = fc.record({
      InvoiceNo: fc.constantFrom('536365', '536366', 'C536367', 'A536368', '536369', ''),
      StockCode: fc.constantFrom('85123A', '71053', 'POST', 'm', 'gift_0001_10', 'DCGSSBOY', ''),
      Description: fc.constantFrom('WHITE METAL LANTERN', ' JUMBO  BAG ', '', 'CHRISTMAS CARD'),
      Quantity: fc.constantFrom('6', '-2', '0', 'x'),
      InvoiceDate: fc.constantFrom('2011-03-27T02:30', '2011-10-30T01:30', 'nope'),
      UnitPrice: fc.constantFrom('2.55', '0', '-1', '0.001'),
      CustomerID: fc.constantFrom('17850', '', '12347'),
      Country: fc.constantFrom('United Kingdom', 'France'),
    });
    fc.assert(
      fc.property(fc.array(arbRow, { maxLength: 60 }), (input) => {
        const { events, rec } = convert(input);
        expect(rec.lines).toBe(input.length);
        const products = events.filter((e) => e.type === 'track').reduce((n, e) => n + productsOf(e).length, 0);
        expect(products).toBe(rec.accepted + rec.corrected);
        expect(new Set(events.map((e) => e.messageId)).size).toBe(events.length);
        for (const e of events) expect(segmentEventSchema.safeParse(e).success).toBe(true);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('UCI Online Retail conversion: events', () => {
  it('makes one Order Completed per invoice with Segment e-commerce properties', () => {
    // Act
    const { events } = convert();

    // Assess
    const order = byId(events, 'retail-536365');
    expect(order).toEqual({
      type: 'track',
      messageId: 'retail-536365',
      userId: '17850',
      event: 'Order Completed',
      timestamp: '2010-12-01T08:26:00.000Z',
      properties: {
        order_id: '536365',
        revenue: 35.64,
        currency: 'GBP',
        products: [
          { product_id: '85123A', sku: '85123A', name: 'WHITE HANGING HEART T-LIGHT HOLDER', price: 2.55, quantity: 6, category: 'candles' },
          { product_id: '71053', sku: '71053', name: 'WHITE METAL LANTERN', price: 3.39, quantity: 6, category: 'candles' },
        ],
      },
      context: { timezone: 'Europe/London', location: { country: 'United Kingdom' } },
    });
    expect(productsOf(byId(events, 'retail-536381'))[0].name).toBe('AIRLINE LOUNGE,METAL SIGN');
    expect(productsOf(byId(events, 'retail-536477'))[0].name).toBe('RECORD FRAME 7" SINGLE SIZE');
    expect(productsOf(byId(events, 'retail-536378'))[0]).toMatchObject({ name: 'JUMBO BAG BAROQUE BLACK WHITE', category: 'bags' });
  });

  it('identifies each customer once, just before their first event, with the country as a trait', () => {
    // Act
    const { events } = convert();

    // Assess
    const identifies = events.filter((e) => e.type === 'identify');
    expect(identifies.map((e) => e.userId)).toEqual(['17850', '12583', '14688', '15311', '16210', '12836', '14606', '12347']);
    expect(byId(events, 'retail-identify-12347')).toEqual({ type: 'identify', messageId: 'retail-identify-12347', userId: '12347', timestamp: '2011-07-14T09:09:00.000Z', traits: { country: 'Iceland' } });
    for (const id of identifies) {
      const i = events.indexOf(id);
      expect(events[i + 1]).toMatchObject({ type: 'track', userId: id.userId });
      expect(events.slice(0, i).some((e) => e.userId === id.userId)).toBe(false);
    }
  });

  it('sends guests as a stable anonymous id per invoice', () => {
    // Act
    const { events } = convert();

    // Assess
    const guest = byId(events, 'retail-536544');
    expect(guest).toMatchObject({ anonymousId: 'guest-536544', event: 'Order Completed', properties: { revenue: 2.51 } });
    expect(guest.userId).toBeUndefined();
    expect(byId(events, 'retail-543358')).toMatchObject({ anonymousId: 'guest-543358', properties: { products: [{ product_id: 'DCGSSBOY', category: 'bags' }] } });
  });

  it('turns a cancellation into Order Refunded with a positive amount and quantities', () => {
    // Act
    const { events } = convert();

    // Assess
    expect(byId(events, 'retail-C536383')).toMatchObject({
      userId: '15311',
      event: 'Order Refunded',
      properties: { order_id: 'C536383', revenue: 4.65, currency: 'GBP', products: [{ quantity: 1, name: 'SET OF 3 COLOURED FLYING DUCKS' }] },
    });
    expect(byId(events, 'retail-C537251')).toMatchObject({ anonymousId: 'guest-C537251', properties: { revenue: 8.5 } });
  });

  it('sends the lines after an interruption as a late part of the same order, without their duplicates', () => {
    // Act
    const { events } = convert();

    // Assess
    const ids = events.map((e) => e.messageId);
    expect(ids.indexOf('retail-542806')).toBeLessThan(ids.indexOf('retail-C542805'));
    expect(ids.indexOf('retail-C542805')).toBeLessThan(ids.indexOf('retail-542806-late2'));
    expect(byId(events, 'retail-542806').properties).toMatchObject({ revenue: 15.9 });
    expect(byId(events, 'retail-542806').properties!.part).toBeUndefined();
    expect(byId(events, 'retail-542806-late2').properties).toMatchObject({ order_id: '542806', revenue: 15.9, part: 2 });
    expect(productsOf(byId(events, 'retail-542806-late2')).map((p) => p.product_id)).toEqual(['22692']);
  });

  it('keeps a priced line without a description, without a name', () => {
    // Act
    const { events } = convert();

    // Assess
    expect(productsOf(byId(events, 'retail-560005'))).toEqual([{ product_id: '84881', sku: '84881', price: 4.95, quantity: 2, category: 'other' }]);
  });

  it('emits an invoice when the next one starts, and the last one at the end', () => {
    // Prepare
    const c = new RetailConverter();

    // Act
    const afterFirst = c.push(row({ InvoiceNo: '1' }));
    const afterSecondLine = c.push(row({ InvoiceNo: '1', StockCode: '71053' }));
    const afterNext = c.push(row({ InvoiceNo: '2' }));
    const atEnd = c.end();

    // Assess
    expect([afterFirst, afterSecondLine]).toEqual([[], []]);
    expect(afterNext.map((e) => e.messageId)).toEqual(['retail-identify-12347', 'retail-1']);
    expect(atEnd.map((e) => e.messageId)).toEqual(['retail-2']);
  });

  it('is deterministic: a re-run gives the same events and messageIds', () => {
    expect(convert().events).toEqual(convert().events);
  });

  it('sends a very large invoice in parts, each under the 32 KB event limit, with the same order_id', () => {
    // Prepare
    const big = Array.from({ length: 450 }, (_, i) => row({ InvoiceNo: '581000', StockCode: `9${String(i).padStart(4, '0')}`, Description: 'A RATHER LONG DESCRIPTION OF A VINTAGE CHRISTMAS GIFT ITEM' }));

    // Act
    const { events, rec } = convert(big);

    // Assess
    const orders = events.filter((e) => e.type === 'track');
    expect(orders.map((e) => [e.messageId, e.properties!.part, e.properties!.parts])).toEqual([
      ['retail-581000', 1, 3],
      ['retail-581000-p2', 2, 3],
      ['retail-581000-p3', 3, 3],
    ]);
    expect(orders.map((e) => productsOf(e).length)).toEqual([PRODUCTS_PER_EVENT, PRODUCTS_PER_EVENT, 50]);
    for (const e of orders) expect(Buffer.byteLength(JSON.stringify(e))).toBeLessThan(MAX_EVENT_BYTES);
    expect(rec.invoices).toBe(1);
    expect(rec.events.orderCompleted).toBe(3);
  });
});

describe('UK shop time to UTC', () => {
  it('applies GMT and BST across both 2011 clock changes', () => {
    expect(ukLocalToUtc('2010-12-01T08:26')).toBe('2010-12-01T08:26:00.000Z');
    expect(ukLocalToUtc('2011-03-27T00:30')).toBe('2011-03-27T00:30:00.000Z');
    expect(ukLocalToUtc('2011-03-27T02:30')).toBe('2011-03-27T01:30:00.000Z');
    expect(ukLocalToUtc('2011-07-14T10:00')).toBe('2011-07-14T09:00:00.000Z');
    expect(ukLocalToUtc('2011-10-30T00:30')).toBe('2011-10-29T23:30:00.000Z');
    expect(ukLocalToUtc('2011-10-30T02:30')).toBe('2011-10-30T02:30:00.000Z');
  });

  it('reads the skipped hour as GMT and the repeated hour as its first (BST) occurrence', () => {
    expect(ukLocalToUtc('2011-03-27T01:30')).toBe('2011-03-27T01:30:00.000Z');
    expect(ukLocalToUtc('2011-10-30T01:30')).toBe('2011-10-30T00:30:00.000Z');
  });

  it('agrees with the Europe/London zone of Intl for every half hour of the dataset period', () => {
    // Prepare
    const london = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const local = (t: number) => {
      const p = Object.fromEntries(london.formatToParts(t).map((x) => [x.type, x.value]));
      return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
    };
    const mismatches: string[] = [];

    // Act
    for (let t = Date.UTC(2010, 11, 1); t < Date.UTC(2011, 11, 10); t += 1_800_000) {
      const wall = local(t);
      const back = Date.parse(ukLocalToUtc(wall));
      // The repeated hour maps back to its first occurrence, one hour earlier.
      const repeated = local(t - 3_600_000) === wall;
      if (back !== (repeated ? t - 3_600_000 : t)) mismatches.push(`${new Date(t).toISOString()} ${wall}`);
    }

    // Assess
    expect(mismatches).toEqual([]);
  });

  it('refuses a date that is not YYYY-MM-DDTHH:MM', () => {
    expect(() => ukLocalToUtc('01/12/2010 08:26')).toThrow(/not YYYY-MM-DDTHH:MM/);
  });
});

describe('codes and categories', () => {
  it('knows the non-product codes of the dataset, in any case, and keeps the DCGS products', () => {
    for (const c of ['POST', 'DOT', 'M', 'm', 'C2', 'BANK CHARGES', 'AMAZONFEE', 'PADS', 'S', 'D', 'CRUK', 'B', 'gift_0001_20']) expect(isNonProductCode(c), c).toBe(true);
    for (const c of ['85123A', 'DCGSSBOY', 'DCGS0003', '21733', 'POST2']) expect(isNonProductCode(c), c).toBe(false);
  });

  it('derives a coarse category from the description', () => {
    expect(categoryOf('WHITE HANGING HEART T-LIGHT HOLDER')).toBe('candles');
    expect(categoryOf('JUMBO BAG RED RETROSPOT')).toBe('bags');
    expect(categoryOf('PAPER CHAIN KIT 50S CHRISTMAS')).toBe('christmas');
    expect(categoryOf('SET 2 TEA TOWELS I LOVE LONDON')).toBe('kitchen');
    expect(categoryOf('something unheard of')).toBe('other');
  });

  it('matches whole words, with plurals, in the order of the table', () => {
    expect(categoryOf('DECOUPAGE,GREETING CARD,')).toBe('stationery');
    expect(categoryOf('SET OF 3 CONEY ISLAND OVAL BOXES')).toBe('storage');
    expect(categoryOf('ANTIQUE OPAL WHITE FLOWER EARRINGS')).toBe('fashion');
    expect(categoryOf('VINTAGE ZINC WATERING CAN')).toBe('garden');
    expect(categoryOf('ROBOT MUG IN DISPLAY BOX')).toBe('kitchen');
    expect(categoryOf('SET OF 2 CERAMIC CHRISTMAS TREES')).toBe('christmas');
  });
});

describe('classifyRetailLine', () => {
  const line = (over: Partial<RetailRow> = {}): RetailRow => ({
    InvoiceNo: '536365',
    StockCode: '85123A',
    Description: 'WHITE HANGING HEART T-LIGHT HOLDER',
    Quantity: '6',
    InvoiceDate: '2010-12-01T08:26',
    UnitPrice: '2.55',
    CustomerID: '17850',
    Country: 'United Kingdom',
    ...over,
  });

  it('keeps a purchase and a return, with positive quantities', () => {
    // Prepare / Act
    const purchase = classifyRetailLine(line());
    const ret = classifyRetailLine(line({ InvoiceNo: 'C536379', Quantity: '-1' }));
    // Assess
    expect(purchase).toMatchObject({ kind: 'purchase', invoiceNo: '536365', stockCode: '85123A', quantity: 6, price: 2.55, customerId: '17850', date: '2010-12-01T08:26' });
    expect(ret).toMatchObject({ kind: 'return', quantity: 1 });
  });

  it('rejects by the first rule that matches, in the order of REJECT_RULES', () => {
    const reason = (over: Partial<RetailRow>, dup = false) => {
      const r = classifyRetailLine(line(over), { isDuplicate: () => dup });
      return r.kind === 'rejected' ? r.reason : r.kind;
    };
    expect(reason({ Quantity: 'x' })).toBe('unparseable');
    expect(reason({ InvoiceDate: '01/12/2010 08:26' })).toBe('unparseable');
    expect(reason({ InvoiceNo: 'A563185', StockCode: 'B', UnitPrice: '-11062.06' })).toBe('adjustment');
    expect(reason({ StockCode: 'POST', UnitPrice: '0' })).toBe('non_product_code');
    expect(reason({ UnitPrice: '0' }, true)).toBe('duplicate_line');
    expect(reason({ UnitPrice: '0' })).toBe('zero_price');
    expect(reason({ UnitPrice: '-1' })).toBe('negative_price');
    expect(reason({ Quantity: '-3' })).toBe('non_positive_quantity');
    expect(reason({ InvoiceNo: 'C1', Quantity: '0' })).toBe('non_positive_quantity');
  });

  it('names the description correction and never asks about duplicates of rejected codes', () => {
    // Prepare
    const asked: string[] = [];
    // Act
    const trimmed = classifyRetailLine(line({ Description: '  RED  RETROSPOT ' }), { isDuplicate: (r) => (asked.push(r.StockCode), false) });
    const empty = classifyRetailLine(line({ Description: '' }));
    classifyRetailLine(line({ StockCode: 'DOT' }), { isDuplicate: (r) => (asked.push(r.StockCode), false) });
    // Assess
    expect(trimmed).toMatchObject({ name: 'RED RETROSPOT', correction: 'trimmed_description' });
    expect(empty).toMatchObject({ name: '', correction: 'empty_description' });
    expect(asked).toEqual(['85123A']);
  });
});
