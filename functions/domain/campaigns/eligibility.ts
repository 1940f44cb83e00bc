/**
 * Eligibility: whether one person may be sent this campaign now, later, or never — and why.
 *
 * Design:
 * - Checks run cheapest and most final first, and the first failing one is the reason
 *   recorded: merged → no_address → unsubscribed / suppressed → no_consent → quiet hours
 *   (a deferral, not a skip) → arm → frequency cap (variants only).
 * - Consent is derived from the profile's consent history (functions/domain/privacy/consent.ts,
 *   the one place that decides it; a v1 profile's flat `consent` map is read as history).
 *   Marketing on a channel is granted only when it was explicitly given, by either
 *     `<channel>.marketing` granted   (e.g. `email.marketing`), or
 *     `<channel>` and `marketing` both granted  (channel and purpose given separately);
 *   the newest statement wins, and a denial or withdrawal of any of the three keys newer than
 *   the grant refuses. Anything else — nothing said, only `email: true`, only
 *   `personalisation: true` — is unknown, and unknown is not consent: a person who never
 *   consented to marketing email is never emailed.
 * - The suppression list is checked before consent because an unsubscribe also withdraws
 *   consent: the more specific reason (`unsubscribed`) is the one worth recording. Its
 *   lookups are batched per page (`checkPage`), never one call per person.
 * - The holdout is assigned after eligibility (arms.ts) and is recorded, not sent, so it
 *   reserves no frequency cap: its people received nothing. A variant person reserves the
 *   cap last, just before sending; capped people stay in their arm (intent to treat), just
 *   like their would-be-capped twins in the holdout.
 * - Cap windows are the person's local calendar day and ISO week at the send instant,
 *   shared by every campaign through the store's conditional counters.
 */
import type { CampaignChannel, CampaignDefinition, FrequencyCap } from '../../../schemas/campaign.ts';
import type { Profile } from '../../../schemas/profile.ts';
import type { DerivedConsentStatus } from '../../../schemas/consent.ts';
import { consentHistoryOf, legacyHistory, marketingStatus, type ConsentHolder } from '../privacy/consent.ts';
import { armLabel, assignArm, type ArmAssignment } from './arms.ts';
import type { CapWindow, FrequencyCapStore, SkipReason, SuppressionEntry, SuppressionList } from './ports.ts';
import { capWindowKeys, nextAllowedSendInstant, type SendTime } from './schedule.ts';
import { optimalSendInstant } from './send-time.ts';
import { populationProfile } from '../profiles/activity-hours.ts';

export const MARKETING_PURPOSE = 'marketing';

/** The consent keys read for a channel. */
export function consentKeys(channel: CampaignChannel): { combined: string; channel: string; purpose: string } {
  return { combined: `${channel}.${MARKETING_PURPOSE}`, channel, purpose: MARKETING_PURPOSE };
}

export type ConsentState = DerivedConsentStatus;

/** Marketing consent on a channel, of a profile (its history) or of a bare v1 flat map. */
export function marketingConsent(of: Readonly<Record<string, boolean>> | ConsentHolder, channel: CampaignChannel): ConsentState {
  const holder = typeof (of as ConsentHolder).consent === 'object' && typeof (of as ConsentHolder).updatedAt === 'string';
  const history = holder ? consentHistoryOf(of as ConsentHolder) : legacyHistory(of as Record<string, boolean>, new Date(0).toISOString());
  return marketingStatus(history, channel);
}

const EMAIL = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/** Lower-cased, trimmed email, as the suppression list keys it; undefined when not an address. */
export function normaliseEmail(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim().toLowerCase();
  return s.length <= 254 && EMAIL.test(s) ? s : undefined;
}

/** E.164 (+ and digits) with spaces, dashes, dots and brackets removed; undefined otherwise. */
export function normalisePhone(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.replace(/[\s\-().]/g, '');
  return E164.test(s) ? s : undefined;
}

/**
 * The person's address on the channel: `traits.email`, `traits.phone` (Segment's reserved
 * traits). A webhook goes to the campaign's endpoint, so its "address" is the profile id.
 */
export function addressFor(profile: Profile, channel: CampaignChannel): string | undefined {
  if (channel === 'email') return normaliseEmail(profile.traits.email);
  if (channel === 'sms') return normalisePhone(profile.traits.phone);
  return profile.profileId;
}

export type EligibilityDecision =
  | { kind: 'eligible'; address: string; send: SendTime }
  | { kind: 'defer'; reason: 'quiet_hours' | 'scheduled_later'; address: string; send: SendTime }
  | { kind: 'skip'; reason: SkipReason };

export interface EligibilityInput {
  profile: Profile;
  campaign: Pick<CampaignDefinition, 'channel' | 'schedule' | 'quietHours'> & Partial<Pick<CampaignDefinition, 'sendTime' | 'sendBy'>>;
  /** With sendTime 'optimal': the population's activity profile the person's best hour is smoothed towards. */
  population?: readonly number[];
  /** The suppression entry for the person's address, if any (looked up per page). */
  suppression?: SuppressionEntry;
  now: Date;
  /** The campaign's zone when the schedule names none (default UTC). */
  fallbackTimezone?: string;
}

/** The pure checks, without the frequency cap (which needs the store and the arm). */
export function checkEligibility(input: EligibilityInput): EligibilityDecision {
  const { profile, campaign, now } = input;
  if (profile.mergedInto) return { kind: 'skip', reason: 'merged' };
  const address = addressFor(profile, campaign.channel);
  if (address === undefined) return { kind: 'skip', reason: 'no_address' };
  if (input.suppression) return { kind: 'skip', reason: input.suppression.reason === 'unsubscribe' ? 'unsubscribed' : 'suppressed' };
  if (marketingConsent(profile, campaign.channel) !== 'granted') return { kind: 'skip', reason: 'no_consent' };
  const timing = { schedule: campaign.schedule, quietHours: campaign.quietHours, timezone: profile.timezone ?? profile.traits.timezone, fallbackTimezone: input.fallbackTimezone, now };
  const send =
    campaign.sendTime === 'optimal'
      ? optimalSendInstant({ ...timing, sendBy: campaign.sendBy, activity: profile.aggregates.activityHours, population: input.population })
      : nextAllowedSendInstant(timing);
  // Whole minutes: a bucket released at its start minute is "now" for its people.
  if (Math.floor(send.at.getTime() / 60_000) > Math.floor(now.getTime() / 60_000)) {
    return { kind: 'defer', reason: send.deferred ? 'quiet_hours' : 'scheduled_later', address, send };
  }
  return { kind: 'eligible', address, send };
}

/** The counters a send reserves: one per configured window. */
export function capWindowsFor(cap: FrequencyCap | undefined, at: Date, zone: string): CapWindow[] {
  if (!cap) return [];
  const keys = capWindowKeys(at, zone);
  const windows: CapWindow[] = [];
  if (cap.perDay !== undefined) windows.push({ window: 'day', key: keys.day, cap: cap.perDay });
  if (cap.perWeek !== undefined) windows.push({ window: 'week', key: keys.week, cap: cap.perWeek });
  return windows;
}

export type PersonDecision =
  | { kind: 'send'; personId: string; address: string; arm: ArmAssignment; send: SendTime; capWindows: CapWindow[] }
  /** Recorded as SKIPPED('holdout') with the would-be send time: the control group. */
  | { kind: 'holdout'; personId: string; arm: ArmAssignment; send: SendTime }
  | { kind: 'defer'; personId: string; reason: 'quiet_hours' | 'scheduled_later'; until: Date }
  | { kind: 'skip'; personId: string; reason: SkipReason; arm?: string };

export interface PageContext {
  campaign: Pick<CampaignDefinition, 'id' | 'channel' | 'schedule' | 'quietHours' | 'frequencyCap' | 'holdoutPercent' | 'variants'> &
    Partial<Pick<CampaignDefinition, 'sendTime' | 'sendBy'>> & {
      test?: { percent: number };
    };
  now: Date;
  suppressions: SuppressionList;
  caps: FrequencyCapStore;
  fallbackTimezone?: string;
  /**
   * Winner-then-remainder, remainder pages: the winning variant, sent to every non-holdout
   * person of the remainder instead of the weighted draw.
   */
  winnerVariantId?: string;
}

/**
 * Decides a page of people: batched suppression lookup, the pure checks, arm assignment,
 * and the cap reservation for those about to be sent. The caller passes only the people of
 * the phase it sends (`phaseOf`), after claiming their send records (so a retried page never
 * reserves a cap twice), and releases `capWindows` if a send then fails terminally.
 */
export async function decidePage(profiles: readonly Profile[], ctx: PageContext): Promise<PersonDecision[]> {
  const { campaign } = ctx;
  const addresses = [...new Set(profiles.map((p) => addressFor(p, campaign.channel)).filter((a): a is string => a !== undefined))];
  const suppressed = addresses.length > 0 ? await ctx.suppressions.findMany(campaign.channel, addresses) : new Map<string, SuppressionEntry>();
  const out: PersonDecision[] = [];
  // The page's people stand for the population (send-time.ts says why that is enough).
  const population = campaign.sendTime === 'optimal' ? populationProfile(profiles.map((p) => p.aggregates.activityHours)) : undefined;
  for (const profile of profiles) {
    const personId = profile.profileId;
    const address = addressFor(profile, campaign.channel);
    const d = checkEligibility({
      profile,
      campaign,
      population,
      suppression: address === undefined ? undefined : suppressed.get(address),
      now: ctx.now,
      fallbackTimezone: ctx.fallbackTimezone,
    });
    if (d.kind === 'skip') {
      out.push({ kind: 'skip', personId, reason: d.reason });
      continue;
    }
    if (d.kind === 'defer') {
      out.push({ kind: 'defer', personId, reason: d.reason, until: d.send.at });
      continue;
    }
    const drawn = assignArm(campaign.id, personId, { holdoutPercent: campaign.holdoutPercent, variants: campaign.variants, testPercent: campaign.test?.percent });
    const arm: ArmAssignment =
      drawn.arm === 'variant' && ctx.winnerVariantId !== undefined ? { ...drawn, variantId: ctx.winnerVariantId } : drawn;
    if (arm.arm === 'holdout') {
      out.push({ kind: 'holdout', personId, arm, send: d.send });
      continue;
    }
    const capWindows = capWindowsFor(campaign.frequencyCap, d.send.at, d.send.zone);
    if (capWindows.length > 0 && !(await ctx.caps.reserve(personId, capWindows))) {
      out.push({ kind: 'skip', personId, reason: 'frequency_cap', arm: armLabel(arm) });
      continue;
    }
    out.push({ kind: 'send', personId, address: d.address, arm, send: d.send, capWindows });
  }
  return out;
}
