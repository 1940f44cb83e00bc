/**
 * What Clean writes to the clean stream and Tag reads: one normalised event.
 * Versioned (`v`): a breaking change bumps it and Tag keeps the old reader.
 */
import { z } from 'zod';

export const cleanProductSchema = z.object({
  productId: z.string(),
  name: z.string().optional(),
  category: z.string().optional(),
  /** Unit price in the event's currency, a finite number. */
  price: z.number(),
  quantity: z.number(),
});
export type CleanProduct = z.infer<typeof cleanProductSchema>;

export const cleanEventSchema = z.object({
  v: z.literal(1),
  messageId: z.string(),
  type: z.enum(['identify', 'track', 'page', 'screen', 'group', 'alias']),
  /** track: the event name, e.g. "Order Completed"; page/screen: the page name. */
  event: z.string().optional(),
  userId: z.string().optional(),
  anonymousId: z.string().optional(),
  previousId: z.string().optional(),
  groupId: z.string().optional(),
  /** sha256 of the normalised email (trim, lower case), for identity matching without the address. */
  emailHash: z.string().optional(),
  /** Event time, UTC ISO 8601. */
  timestamp: z.string(),
  receivedAt: z.string(),
  sourceId: z.string(),
  timezone: z.string().optional(),
  /** ISO 4217 upper case, when the event carries money. */
  currency: z.string().optional(),
  /** Order-shaped events (Segment e-commerce spec), normalised. */
  order: z
    .object({
      orderId: z.string().optional(),
      revenue: z.number(),
      products: z.array(cleanProductSchema),
      discount: z.number().optional(),
      coupon: z.string().optional(),
      /** A large order sent in parts: part 2.. adds revenue and items but is not another order. */
      part: z.number().int().positive().optional(),
    })
    .optional(),
  traits: z.record(z.string(), z.unknown()).default({}),
  properties: z.record(z.string(), z.unknown()).default({}),
  /** Consent signals carried by the event (context.consent.categoryPreferences in the Segment spec). */
  consent: z.record(z.string(), z.boolean()).optional(),
  channel: z.string().optional(),
});
export type CleanEvent = z.infer<typeof cleanEventSchema>;
