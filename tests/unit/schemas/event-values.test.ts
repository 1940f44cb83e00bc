/** Event values the schemas refuse where the request is still at hand (issue 10, findings 4 and 5). */
import { describe, expect, it } from 'vitest';
import { isCalendarTimestamp, segmentEventSchema, timestampSchema } from '../../../schemas/events.ts';

describe('timestamps', () => {
  it('checks calendar fields instead of letting Date roll impossible dates over', () => {
    for (const bad of ['2024-02-30', '2023-02-29', '2024-04-31T00:00:00Z', '2024-13-01', '2024-00-10', '2024-05-01T24:00:00Z', '2024-05-01T12:60:00Z', '2024-05-01T12:00:00+25:00']) {
      expect(timestampSchema.safeParse(bad).success, bad).toBe(false);
    }
    for (const good of ['2024-02-29', '2024-05-01T12:00:00+02:00', '2024-05-01T12:00:00.123456Z', '2024-05-01 12:00', '9999-12-31T23:59:59.999Z']) {
      expect(isCalendarTimestamp(good), good).toBe(true);
    }
  });

  it('refuses instants past year 9999, which toISOString writes with an expanded year', () => {
    expect(timestampSchema.safeParse(8.63e15).success).toBe(false);
    expect(timestampSchema.safeParse(253402300800000).success).toBe(false);
    expect(timestampSchema.safeParse(Date.parse('2024-05-01T00:00:00Z')).success).toBe(true);
  });
});

describe('money that overflowed JSON', () => {
  it('refuses revenue 1e309 (Infinity after JSON.parse, null once written) naming the field', () => {
    // Prepare: what Collect's JSON.parse makes of the literal
    const event = JSON.parse('{"type":"track","userId":"u","event":"Order Completed","properties":{"revenue":1e309,"products":[{"product_id":"p","price":-1e400}]}}');
    // Act
    const r = segmentEventSchema.safeParse(event);
    // Assess
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['properties.revenue', 'properties.products.0.price']);
  });
});
