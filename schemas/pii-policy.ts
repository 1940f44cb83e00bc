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
 * Default: what identifies a person directly is minimised. The email and the phone number
 * are kept, because campaigns send to them (email, SMS) — the profiles table is KMS-encrypted,
 * suppression keys hold only their hashes, and erasure removes them; the email is also hashed
 * into `emailHash` for identity matching. Addresses, IPs and government ids are dropped.
 * (Until SMS campaigns existed the phone was masked, which left SMS with no address: set
 * `traits.phone: mask` in a deployment's policy that never texts.)
 */
export const DEFAULT_PII_POLICY: PiiPolicy = {
  version: '1',
  fields: {
    'context.ip': 'drop',
    'context.traits.email': 'hash',
    'traits.phone': 'keep',
    'traits.address': 'drop',
    'traits.ssn': 'drop',
    'traits.password': 'drop',
    'traits.birthday': 'drop',
    'properties.email': 'hash',
  },
};

/**
 * What the failed-events store applies when a deployment sets no policy: the default, with the
 * phone masked — a refused event is never sent to, so it has no reason to keep the number.
 */
export const DEFAULT_FAILED_EVENTS_PII_POLICY: PiiPolicy = { version: '1', fields: { ...DEFAULT_PII_POLICY.fields, 'traits.phone': 'mask' } };
