/** Builders of clean events in the shape Clean produces. */
import type { CleanEvent } from '../../schemas/clean-event.ts';

let seq = 0;
export function cleanEvent(over: Partial<CleanEvent> = {}): CleanEvent {
  seq += 1;
  return {
    v: 1,
    messageId: `m-${seq}`,
    type: 'track',
    event: 'Product Viewed',
    timestamp: '2011-06-01T10:00:00.000Z',
    receivedAt: '2026-11-22T10:00:00.000Z',
    sourceId: 'src-1',
    traits: {},
    properties: {},
    ...over,
  };
}

export function order(userId: string, at: string, revenue: number, over: Partial<CleanEvent> = {}): CleanEvent {
  return cleanEvent({
    userId,
    event: 'Order Completed',
    timestamp: at,
    currency: 'GBP',
    order: { orderId: `o-${seq + 1}`, revenue, products: [{ productId: 'p1', price: revenue / 2, quantity: 2, category: 'mugs' }] },
    ...over,
  });
}
