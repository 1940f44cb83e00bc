/**
 * The campaign definition: the JSON a marketer gives as a Step Functions execution's input
 * (`aws stepfunctions start-execution --name <id> --input file://campaign.json`).
 *
 * Design:
 * - One schema, discriminated on `channel`, so each channel's variants say exactly what they
 *   need (an email a subject and bodies, an SMS a text, a webhook a JSON body) and the
 *   generated JSON Schema (schemas/campaign.schema.json) lets an editor complete the right
 *   fields. Objects are strict: a misspelt optional field (`holdoutPercnt`) would otherwise be
 *   dropped silently and the campaign sent without a holdout.
 * - `id` doubles as the execution name (1-80 of [A-Za-z0-9-_]): starting the same campaign
 *   twice is refused by Step Functions, so nothing is sent twice.
 * - `validateCampaign` reports every wrong field with its path, also when `channel` itself is
 *   wrong (the fields common to all channels are then checked on their own), because the
 *   execution fails in its first state and the marketer should fix everything in one go.
 * - Cross-field rules (unique variant ids, a test needs two variants, a local send time
 *   outside quiet hours, week cap ≥ day cap) run even when other fields are wrong
 *   (`when`), for the same reason; they read the raw input defensively.
 * - Times of day are "HH:MM" in the recipient's zone; `fallbackTimezone` is used when the
 *   person has no valid IANA zone. Zone names are checked with Intl (the zone database Node
 *   ships), the same one the scheduler uses, so a zone accepted here is one it can use.
 */
import { z } from 'zod';
import { segmentDefinitionSchema, segmentIdSchema } from './segment.ts';

export const CAMPAIGN_SCHEMA_VERSION = 1;
export const CAMPAIGN_CHANNELS = ['email', 'sms', 'webhook'] as const;
export type CampaignChannel = (typeof CAMPAIGN_CHANNELS)[number];

/** Safe as a Step Functions execution name. */
export const campaignIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,80}$/, 'a campaign id is 1-80 characters of A-Z a-z 0-9 - _ (it is the execution name)');

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const timeOfDaySchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day is HH:MM, 00:00 to 23:59');
export const timeZoneSchema = z.string().refine(isValidTimeZone, { message: 'not an IANA time zone known to this runtime' });

export const scheduleSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('now') }).strict(),
  z.object({ type: z.literal('at'), at: z.iso.datetime({ offset: true }) }).strict(),
  z
    .object({
      type: z.literal('localTime'),
      /** Local time of day in each recipient's zone. */
      time: timeOfDaySchema,
      /** Local calendar date; without it, the next occurrence of `time` after the start. */
      date: z.iso.date().optional(),
      fallbackTimezone: timeZoneSchema,
    })
    .strict(),
]);
export type CampaignSchedule = z.infer<typeof scheduleSchema>;

/** No sends from `start` to `end` local time (may span midnight: 21:00 → 08:00). */
export const quietHoursSchema = z
  .object({ start: timeOfDaySchema, end: timeOfDaySchema })
  .strict()
  .refine((q) => q.start !== q.end, { message: 'quiet hours need different start and end' });
export type QuietHours = z.infer<typeof quietHoursSchema>;

/** Per person, across every campaign (a shared counter per person and window). */
export const frequencyCapSchema = z
  .object({ perDay: z.number().int().min(1).optional(), perWeek: z.number().int().min(1).optional() })
  .strict()
  .refine((c) => c.perDay !== undefined || c.perWeek !== undefined, { message: 'a frequency cap needs perDay or perWeek' });
export type FrequencyCap = z.infer<typeof frequencyCapSchema>;

export const goalSchema = z
  .object({
    event: z.string().min(1).max(200).default('Order Completed'),
    /** Conversions count from the (would-be) send time for this long; 90 days at most. */
    windowHours: z.number().positive().max(24 * 90),
  })
  .strict();
export type CampaignGoal = z.infer<typeof goalSchema>;

/** Winner-then-remainder: test on `percent` % of the eligible audience, then send the winner to the rest. */
export const testPhaseSchema = z
  .object({
    percent: z.number().gt(0).lt(100),
    minRuntimeHours: z.number().min(0).max(24 * 30).default(24),
    /** Significance level before Bonferroni across the challengers. */
    alpha: z.number().gt(0).lt(0.5).default(0.05),
  })
  .strict();
export type TestPhase = z.infer<typeof testPhaseSchema>;

export const audienceSchema = z
  .object({ segmentId: segmentIdSchema.optional(), segment: segmentDefinitionSchema.optional() })
  .strict()
  .refine((a) => (a.segmentId === undefined) !== (a.segment === undefined), { message: 'audience takes exactly one of segmentId and segment' });

export const variantIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'a variant id is 1-40 characters of A-Z a-z 0-9 - _');
const variantBase = {
  id: variantIdSchema,
  /** Relative share of the non-holdout audience. */
  weight: z.number().positive().default(1),
};

export const emailVariantSchema = z
  .object({
    ...variantBase,
    subject: z.string().min(1).max(998),
    preheader: z.string().max(500).optional(),
    html: z.string().min(1),
    text: z.string().min(1),
  })
  .strict();
export const smsVariantSchema = z.object({ ...variantBase, text: z.string().min(1).max(1600) }).strict();
/** The body is JSON whose string leaves are templates; a leaf that is exactly `{{path}}` keeps the value's type. */
export const webhookVariantSchema = z.object({ ...variantBase, body: z.record(z.string(), z.json()) }).strict();

export const recommendationsSlotSchema = z
  .object({ slots: z.number().int().min(1).max(20), excludePurchased: z.boolean().default(true) })
  .strict();

const baseShape = {
  schemaVersion: z.literal(CAMPAIGN_SCHEMA_VERSION).default(CAMPAIGN_SCHEMA_VERSION),
  id: campaignIdSchema,
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  audience: audienceSchema,
  /** Share of the eligible audience kept as the control group (recorded, not sent). */
  holdoutPercent: z.number().min(0).max(50).default(0),
  schedule: scheduleSchema.default({ type: 'now' }),
  quietHours: quietHoursSchema.optional(),
  frequencyCap: frequencyCapSchema.optional(),
  goal: goalSchema.optional(),
  test: testPhaseSchema.optional(),
  /** 'optimal': each person in their best hour (issue 12) within the schedule and quiet hours. */
  sendTime: z.enum(['scheduled', 'optimal']).default('scheduled'),
  /**
   * With sendTime 'optimal', the end of the send window: everyone is sent before it, each in
   * their best hour from the schedule's start. Default: the start + 24 h for an 'at' or a
   * dated 'localTime' schedule; required for 'now' and an undated 'localTime'.
   */
  sendBy: z.iso.datetime({ offset: true }).optional(),
  /** Fill a `recommendations` list for the templates. */
  recommendations: recommendationsSlotSchema.optional(),
};

export const emailCampaignSchema = z
  .object({
    ...baseShape,
    channel: z.literal('email'),
    from: z.email(),
    fromName: z.string().max(200).optional(),
    replyTo: z.email().optional(),
    variants: z.array(emailVariantSchema).min(1).max(10),
  })
  .strict();
export const smsCampaignSchema = z
  .object({
    ...baseShape,
    channel: z.literal('sms'),
    /** Origination identity (phone number, sender id or pool); the account default when absent. */
    from: z.string().min(1).max(200).optional(),
    variants: z.array(smsVariantSchema).min(1).max(10),
  })
  .strict();
export const webhookCampaignSchema = z
  .object({
    ...baseShape,
    channel: z.literal('webhook'),
    // HTTPS, or plain http to loopback only (the local platform and tests), as the sender enforces.
    webhook: z.object({ url: z.url({ protocol: /^https?$/ }).refine((u) => u.startsWith('https:') || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//.test(u), { message: 'webhook url must be https (plain http only to loopback)' }) }).strict(),
    variants: z.array(webhookVariantSchema).min(1).max(10),
  })
  .strict();

function toMinutes(hhmm: unknown): number | undefined {
  if (typeof hhmm !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(hhmm)) return undefined;
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** Whether a local minute of day falls in quiet hours [start, end), wrapping midnight. */
export function minuteInQuietHours(minute: number, start: number, end: number): boolean {
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Rules across fields. Reads raw input: it also runs when other fields failed. */
function crossFieldRules(raw: unknown, ctx: z.RefinementCtx): void {
  if (!isRecord(raw)) return;
  const variants = Array.isArray(raw.variants) ? raw.variants : [];
  const seen = new Set<unknown>();
  variants.forEach((v, i) => {
    if (!isRecord(v) || typeof v.id !== 'string') return;
    if (seen.has(v.id)) ctx.addIssue({ code: 'custom', path: ['variants', i, 'id'], message: `duplicate variant id "${v.id}"` });
    seen.add(v.id);
  });
  if (raw.test !== undefined && variants.length < 2) {
    ctx.addIssue({ code: 'custom', path: ['test'], message: 'a test needs at least two variants' });
  }
  const cap = raw.frequencyCap;
  if (isRecord(cap) && typeof cap.perDay === 'number' && typeof cap.perWeek === 'number' && cap.perWeek < cap.perDay) {
    ctx.addIssue({ code: 'custom', path: ['frequencyCap', 'perWeek'], message: 'perWeek must be at least perDay' });
  }
  const schedule = raw.schedule;
  const quiet = raw.quietHours;
  const dated = isRecord(schedule) && (schedule.type === 'at' || (schedule.type === 'localTime' && schedule.date !== undefined));
  if (raw.sendTime === 'optimal' && raw.sendBy === undefined && isRecord(schedule) && !dated) {
    ctx.addIssue({ code: 'custom', path: ['sendBy'], message: "sendTime 'optimal' needs sendBy (the end of the send window) unless the schedule has a date ('at', or 'localTime' with date)" });
  }
  if (typeof raw.sendBy === 'string' && isRecord(schedule) && schedule.type === 'at' && typeof schedule.at === 'string' && !(Date.parse(raw.sendBy) > Date.parse(schedule.at))) {
    ctx.addIssue({ code: 'custom', path: ['sendBy'], message: 'sendBy must be after schedule.at' });
  }
  if (isRecord(schedule) && schedule.type === 'localTime' && isRecord(quiet)) {
    const t = toMinutes(schedule.time);
    const s = toMinutes(quiet.start);
    const e = toMinutes(quiet.end);
    if (t !== undefined && s !== undefined && e !== undefined && s !== e && minuteInQuietHours(t, s, e)) {
      ctx.addIssue({ code: 'custom', path: ['schedule', 'time'], message: `local send time ${String(schedule.time)} falls inside quiet hours ${String(quiet.start)}-${String(quiet.end)}` });
    }
  }
}

export const campaignSchema = z
  .discriminatedUnion('channel', [emailCampaignSchema, smsCampaignSchema, webhookCampaignSchema])
  .superRefine((c, ctx) => crossFieldRules(c, ctx), { when: () => true });
export type CampaignDefinition = z.infer<typeof campaignSchema>;
export type CampaignDefinitionInput = z.input<typeof campaignSchema>;
export type EmailCampaign = z.infer<typeof emailCampaignSchema>;
export type SmsCampaign = z.infer<typeof smsCampaignSchema>;
export type WebhookCampaign = z.infer<typeof webhookCampaignSchema>;
export type CampaignVariant = CampaignDefinition['variants'][number];

/** The fields every channel shares: checked alone when `channel` is missing or unknown. */
const commonFieldsSchema = z.object(baseShape);

export interface CampaignFieldError {
  /** Dotted path from the definition's root, e.g. `variants.0.subject`; '' for the root. */
  path: string;
  message: string;
}
export type CampaignValidation = { ok: true; campaign: CampaignDefinition } | { ok: false; errors: CampaignFieldError[] };

function toFieldErrors(issues: readonly z.core.$ZodIssue[]): CampaignFieldError[] {
  return issues.flatMap((i) =>
    // One error per unknown key, at the key's own path: that is where the typo is.
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: [...i.path, k].map(String).join('.'), message: `unknown field "${k}"` }))
      : [{ path: i.path.map(String).join('.'), message: i.message }],
  );
}

/** Parses a campaign definition, or lists every wrong field with its path and message. */
export function validateCampaign(input: unknown): CampaignValidation {
  const parsed = campaignSchema.safeParse(input);
  if (parsed.success) return { ok: true, campaign: parsed.data };
  const channel = isRecord(input) ? input.channel : undefined;
  if ((CAMPAIGN_CHANNELS as readonly unknown[]).includes(channel)) return { ok: false, errors: toFieldErrors(parsed.error.issues) };
  // Unknown channel: zod stops at the discriminator, so name it and check the common fields alone.
  const errors: CampaignFieldError[] = [{ path: 'channel', message: `channel must be one of ${CAMPAIGN_CHANNELS.join(', ')}` }];
  if (!isRecord(input)) return { ok: false, errors: [{ path: '', message: 'a campaign definition is a JSON object' }] };
  const common = commonFieldsSchema.superRefine((c, ctx) => crossFieldRules(input, ctx), { when: () => true }).safeParse(input);
  if (!common.success) errors.push(...toFieldErrors(common.error.issues));
  return { ok: false, errors };
}
