/**
 * Consent as data (Privacy, issue 13): what a person allowed, per channel and purpose, as an
 * append-only, bounded history on the profile (`consentHistory`), from which the current
 * state is derived by functions/domain/privacy/consent.ts. Nothing else decides consent.
 *
 * A history entry's `key` is what was consented to:
 *   `<channel>.<purpose>`  e.g. `email.marketing`: that purpose on that channel;
 *   `<purpose>`            e.g. `profiling`: the purpose as a whole (a denial also denies it
 *                          on every channel; a grant grants `<channel>.<purpose>` only
 *                          together with a grant of `<channel>`);
 *   `<channel>`            e.g. `email` (Segment categoryPreferences): the same, the other way;
 *   anything else          a Segment category of the site's own (`Advertising`), kept only so
 *                          segments can still target `consent.<key>`; no reader acts on it.
 * Stored additively in profile schemaVersion 1: a profile without `consentHistory` is read
 * from its v1 flat `consent` map (source `legacy`).
 */
import { z } from 'zod';

export const CONSENT_CHANNELS = ['email', 'sms', 'push', 'webhook'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];
/** `profiling` is scoring (propensity, churn, lifetime value). */
export const CONSENT_PURPOSES = ['marketing', 'personalisation', 'profiling', 'analytics'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];
export const CONSENT_STATUSES = ['granted', 'denied', 'withdrawn'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];
/**
 * Where an entry came from: Segment `context.consent.categoryPreferences` (`segment`),
 * `POST /v1/consent` (`api`), the one-click unsubscribe, `sightline consent set` (`cli`),
 * or a v1 profile's flat map read before it had a history (`legacy`: its time is the
 * profile's `updatedAt`, the only time it has).
 */
export const CONSENT_SOURCES = ['segment', 'api', 'unsubscribe', 'cli', 'legacy'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

/** What a reader asks: granted, denied, withdrawn, or never said (`unknown`, which is not granted). */
export type DerivedConsentStatus = ConsentStatus | 'unknown';

const channelPattern = CONSENT_CHANNELS.join('|');
const purposePattern = CONSENT_PURPOSES.join('|');
/** The keys the API and the CLI take: `<channel>.<purpose>` or `<purpose>`. */
export const KNOWN_CONSENT_KEY = new RegExp(`^(?:(?:${channelPattern})\\.)?(?:${purposePattern})$`);

export const consentEntrySchema = z.object({
  key: z.string().min(1).max(100),
  status: z.enum(CONSENT_STATUSES),
  /** When it was said (ISO 8601 UTC): the event's time; for a repeated signal, its latest repetition. */
  at: z.string(),
  source: z.enum(CONSENT_SOURCES),
  /** When this same status from this same source was first said, if it was repeated since. */
  since: z.string().optional(),
});
export type ConsentEntry = z.infer<typeof consentEntrySchema>;
export const consentHistorySchema = z.array(consentEntrySchema);

/** The event a consent record travels as through the pipeline (raw → clean → profile). */
export const CONSENT_EVENT = 'Consent Updated';
/** Sources an explicit record may name; `segment` and `legacy` are never explicit records. */
export const RECORD_SOURCES = ['api', 'unsubscribe', 'cli'] as const;
export type RecordSource = (typeof RECORD_SOURCES)[number];

/** The `properties` of a CONSENT_EVENT track: key → status, and the source. */
export const consentEventPropertiesSchema = z.object({
  consent: z.record(z.string().regex(KNOWN_CONSENT_KEY), z.enum(CONSENT_STATUSES)),
  source: z.enum(RECORD_SOURCES).catch('api'),
});

const iso = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 instant, e.g. 2026-12-01T10:00:00Z');

/**
 * `POST /v1/consent` (write key): one person, one or more keys with their status.
 *   { "userId": "u1", "consent": { "email.marketing": "withdrawn", "profiling": "granted" },
 *     "timestamp": "2026-12-01T10:00:00Z", "messageId": "…" }
 * `timestamp` is when the person said it (default: when it was received); `messageId` makes a
 * retried request harmless (default: a new one per request).
 */
export const consentRequestSchema = z
  .strictObject({
    userId: z.string().min(1).max(255).optional(),
    anonymousId: z.string().min(1).max(255).optional(),
    messageId: z.string().min(1).max(255).optional(),
    timestamp: iso.optional(),
    consent: z
      .record(
        z.string().regex(KNOWN_CONSENT_KEY, `must be <channel>.<purpose> or <purpose>: channels ${CONSENT_CHANNELS.join(', ')}; purposes ${CONSENT_PURPOSES.join(', ')}`),
        z.enum(CONSENT_STATUSES, { message: `must be one of ${CONSENT_STATUSES.join(', ')}` }),
      )
      .refine((m) => Object.keys(m).length >= 1 && Object.keys(m).length <= 20, 'must name 1 to 20 keys'),
  })
  // `when`: checked even when other fields are wrong, so one answer names every problem.
  .refine((b) => b?.userId !== undefined || b?.anonymousId !== undefined, { message: 'userId or anonymousId is required', path: ['userId'], when: (ctx) => typeof ctx.value === 'object' && ctx.value !== null });
export type ConsentRequest = z.infer<typeof consentRequestSchema>;
