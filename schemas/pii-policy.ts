/**
 * The PII policy Clean applies: per field path, keep, hash, mask or drop.
 * Paths are dotted from the event root (`traits.phone`, `context.ip`, `properties.email`).
 */
import { z } from 'zod';

export const piiActionSchema = z.enum(['keep', 'hash', 'mask', 'drop']);
export type PiiAction = z.infer<typeof piiActionSchema>;

export const piiPolicySchema = z.object({
  version: z.string().default('1'),
  fields: z.record(z.string(), piiActionSchema),
});
export type PiiPolicy = z.infer<typeof piiPolicySchema>;

/**
 * Default: what identifies a person directly is minimised. The email is kept (campaigns
 * send to it; the table is KMS-encrypted) and also hashed into `emailHash` for identity
 * matching; phone numbers are masked; addresses, IPs and government ids are dropped.
 */
export const DEFAULT_PII_POLICY: PiiPolicy = {
  version: '1',
  fields: {
    'context.ip': 'drop',
    'context.traits.email': 'hash',
    'traits.phone': 'mask',
    'traits.address': 'drop',
    'traits.ssn': 'drop',
    'traits.password': 'drop',
    'traits.birthday': 'drop',
    'properties.email': 'hash',
  },
};
