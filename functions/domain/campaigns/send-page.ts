/**
 * One page of a campaign's send loop (the Campaign state machine runs this per scan segment,
 * looping until the segment ends): read a page of profiles, keep the audience, decide each
 * person (eligibility.ts), record the holdout and every skip with its reason, and send the
 * rest exactly once.
 *
 * Exactly once, without transactions:
 * - A person with a send record is never decided again (a retried page, a restarted
 *   execution, a second execution of the same campaign all find it).
 * - A send is claimed (CLAIMED, conditional put) before the provider is called; a claim lost
 *   to someone else means they send. After the provider answers, the record becomes SENT
 *   or FAILED. A crash between claim and answer leaves CLAIMED: never re-sent automatically,
 *   because the provider may have taken it (at most once beats a duplicate in a mailbox).
 * - Throttling the provider certainly refused (RetryableSendError with notAccepted) gives the
 *   claim and the cap back and ends the page early at its own start cursor: the state machine
 *   waits and runs the same page again, and the people already sent are skipped by their
 *   records.
 * - Deferred people (quiet hours, a local time not reached yet) get no record: a later sweep
 *   of the audience sends them; the page reports the earliest instant one becomes due.
 *
 * Pacing: the state machine runs `totalSegments` pages at once, so each sends at most
 * `ratePerSecond / totalSegments` messages a second (SES's MaxSendRate, shared).
 */
import type { CampaignDefinition } from '../../../schemas/campaign.ts';
import type { Profile, ScoresItem } from '../../../schemas/profile.ts';
import type { SegmentDefinition } from '../../../schemas/segment.ts';
import type { ProfileScanner } from '../profiles/ports.ts';
import type { ScoreStore } from '../score/ports.ts';
import { forEachLimit } from '../shared/for-each-limit.ts';
import { armLabel, phaseOf } from './arms.ts';
import { decidePage, type PageContext } from './eligibility.ts';
import type { FrequencyCapStore, OutboundMessage, Sender, SendRecordStore, SkipReason, SuppressionList } from './ports.ts';
import { buildRenderContext, buildUnsubscribeHeaders, renderVariant, signUnsubscribeToken, unsubscribeUrl } from './render.ts';
import { matchesSegment } from './segments.ts';
import { scoresFor, segmentUsesScores, withinCut, type AudienceCut } from './scan-audience.ts';

/**
 * Items one page reads (a scan's Limit counts identity items too, so ~half are profiles). Large
 * pages keep the execution's history small: AWS keeps 25,000 events per execution, and each
 * page costs a handful (bench/results/campaigns.md measures them), so 1,000-item pages let one
 * execution reach well over a million profiles. A page that would outlast its Lambda stops in
 * time (TIME_BUDGET_MARGIN_MS) and runs again from its own start; the people it decided are
 * skipped by their records.
 */
export const SEND_PAGE_SIZE = 1000;
/** A page stops deciding when less than this is left of its invocation. */
export const TIME_BUDGET_MARGIN_MS = 30_000;

export interface PageTotals {
  scanned: number;
  audience: number;
  sent: number;
  holdout: number;
  failed: number;
  deferred: number;
  /** Already decided by an earlier page, sweep or execution. */
  alreadyDone: number;
  skipped: Partial<Record<SkipReason, number>>;
}

export const emptyTotals = (): PageTotals => ({ scanned: 0, audience: 0, sent: 0, holdout: 0, failed: 0, deferred: 0, alreadyDone: 0, skipped: {} });

export function addTotals(a: PageTotals, b: PageTotals): PageTotals {
  const skipped = { ...a.skipped };
  for (const [k, v] of Object.entries(b.skipped)) skipped[k as SkipReason] = (skipped[k as SkipReason] ?? 0) + (v ?? 0);
  return { scanned: a.scanned + b.scanned, audience: a.audience + b.audience, sent: a.sent + b.sent, holdout: a.holdout + b.holdout, failed: a.failed + b.failed, deferred: a.deferred + b.deferred, alreadyDone: a.alreadyDone + b.alreadyDone, skipped };
}

export interface SendPageInput {
  segment: number;
  totalSegments: number;
  cursor?: string;
  /** Winner-then-remainder: only this phase's people are decided (arms.ts phaseOf); the others wait for their sweep. */
  phase?: 'test' | 'remainder';
  /** The remainder's variant, instead of the weighted draw. */
  winnerVariantId?: string;
}

export interface SendPageResult {
  /** Where the next page starts; absent when the segment has ended. */
  cursor?: string;
  totals: PageTotals;
  /** The segment has ended (no cursor and not throttled). */
  done: boolean;
  /** The provider throttled: run this same page again after a pause. */
  throttled: boolean;
  /** The earliest instant a deferred person of this page becomes due (ISO). */
  nextDueAt?: string;
}

export interface SendPageDeps {
  profiles: ProfileScanner;
  scores: Pick<ScoreStore, 'getScores'>;
  records: SendRecordStore;
  suppressions: SuppressionList;
  caps: FrequencyCapStore;
  sender: Sender;
  now: () => Date;
  /** The one-click unsubscribe endpoint and the secret its tokens are signed with. */
  unsubscribe: { baseUrl: string; secret: string; mailto?: string };
  /** Messages per second for this whole campaign (the provider's rate, shared by segments). */
  ratePerSecond: number;
  sleep?: (ms: number) => Promise<void>;
  /** Fills a campaign's `recommendations` for one person (recommended-slots.ts); absent: templates see an empty list. */
  recommendations?: (profile: Profile, slot: { slots: number; excludePurchased: boolean }) => Promise<unknown[]>;
  /** What is left of this invocation (Lambda's getRemainingTimeInMillis); absent: no budget. */
  timeLeftMs?: () => number;
  /** Retryable provider errors that certainly did not send (throttling before acceptance). */
  isNotAccepted?: (err: unknown) => boolean;
}

/** The inline audience, or the stored segment the campaign names (resolved by the caller). */
export type ResolvedCampaign = CampaignDefinition & { segment: SegmentDefinition; cut?: AudienceCut };

/** Whether any template of the campaign reads `scores` (then the page reads the people's scores). */
export const variantsUseScores = (campaign: CampaignDefinition): boolean => campaign.variants.some((v) => JSON.stringify(v).includes('scores'));

function messageFor(campaign: ResolvedCampaign, profile: Profile, scores: ScoresItem | undefined, recommendations: unknown[], variantId: string, address: string, deps: SendPageDeps): OutboundMessage {
  const variant = campaign.variants.find((v) => v.id === variantId)!;
  const token = signUnsubscribeToken(deps.unsubscribe.secret, { campaignId: campaign.id, personId: profile.profileId, channel: campaign.channel });
  const context = buildRenderContext({ profile, scores, recommendations, campaign: { id: campaign.id, name: campaign.name }, unsubscribeUrl: unsubscribeUrl(deps.unsubscribe.baseUrl, token) });
  const rendered = renderVariant(campaign.channel, variant, context);
  const base = { campaignId: campaign.id, personId: profile.profileId, variantId };
  if (rendered.channel === 'email' && campaign.channel === 'email') {
    const headers = buildUnsubscribeHeaders({ baseUrl: deps.unsubscribe.baseUrl, token, mailto: deps.unsubscribe.mailto });
    return { ...base, channel: 'email', to: address, from: campaign.from, ...(campaign.fromName ? { fromName: campaign.fromName } : {}), ...(campaign.replyTo ? { replyTo: campaign.replyTo } : {}), subject: rendered.subject, html: rendered.html, text: rendered.text, headers };
  }
  if (rendered.channel === 'sms' && campaign.channel === 'sms') return { ...base, channel: 'sms', to: address, ...(campaign.from ? { from: campaign.from } : {}), text: rendered.text };
  if (rendered.channel === 'webhook' && campaign.channel === 'webhook') return { ...base, channel: 'webhook', url: campaign.webhook.url, body: rendered.body };
  throw new RangeError(`variant ${variantId} does not fit channel ${campaign.channel}`);
}

export async function sendPage(campaign: ResolvedCampaign, input: SendPageInput, deps: SendPageDeps): Promise<SendPageResult> {
  const now = deps.now();
  const at = now.toISOString();
  const sleep = deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const totals = emptyTotals();
  const skip = (reason: SkipReason) => (totals.skipped[reason] = (totals.skipped[reason] ?? 0) + 1);

  const page = await deps.profiles.scanProfiles({ segment: input.segment, totalSegments: input.totalSegments, cursor: input.cursor, limit: SEND_PAGE_SIZE });
  totals.scanned = page.profiles.length;
  const live = page.profiles.filter((p) => !p.mergedInto);
  // Scores cost a read per person: only when the segment or a template names them.
  const scores = await scoresFor(live, segmentUsesScores(campaign.segment) || variantsUseScores(campaign), deps.scores);
  const top = campaign.segment.top;
  const inAudience = (p: Profile) => matchesSegment(p, scores.get(p.profileId), campaign.segment, { now }) && (!top || (campaign.cut !== undefined && withinCut(p, scores.get(p.profileId), top, campaign.cut)));
  const audience = live.filter(inAudience);
  totals.audience = audience.length;

  // Decided before (a retried page, an earlier sweep, a second execution): left alone.
  const fresh: Profile[] = [];
  const inPhase = (p: Profile) => input.phase === undefined || phaseOf(campaign.id, p.profileId, campaign.test?.percent) === input.phase;
  await forEachLimit(audience, 16, async (p) => {
    if (!inPhase(p)) return;
    if (await deps.records.get({ campaignId: campaign.id, personId: p.profileId })) totals.alreadyDone += 1;
    else fresh.push(p);
  });
  fresh.sort((a, b) => (a.profileId < b.profileId ? -1 : 1));

  const ctx: PageContext = { campaign, now, suppressions: deps.suppressions, caps: deps.caps, fallbackTimezone: campaign.schedule.type === 'localTime' ? campaign.schedule.fallbackTimezone : undefined, ...(input.winnerVariantId ? { winnerVariantId: input.winnerVariantId } : {}) };
  const decisions = await decidePage(fresh, ctx);
  const byId = new Map(fresh.map((p) => [p.profileId, p]));
  const gapMs = deps.ratePerSecond > 0 ? (1000 * input.totalSegments) / deps.ratePerSecond : 0;
  let nextDue: number | undefined;
  let lastSend = 0;
  // decidePage reserved the caps of every person about to be sent; leaving the page early
  // (throttled, or an error) gives back those of the people it did not reach, so the page's
  // re-run decides them afresh instead of finding them capped out.
  let released = false;
  const releaseUnreached = async (from: number) => {
    if (released) return;
    released = true;
    for (const d of decisions.slice(from)) if (d.kind === 'send') await deps.caps.release(d.personId, d.capWindows);
  };
  let reached = 0;
  try {
    for (const [index, d] of decisions.entries()) {
      // Out of time: hand back the caps not yet used and run this page again from its start.
      if (deps.timeLeftMs && deps.timeLeftMs() < TIME_BUDGET_MARGIN_MS) {
        await releaseUnreached(index);
        return { ...(input.cursor ? { cursor: input.cursor } : {}), totals, done: false, throttled: false, ...(nextDue !== undefined ? { nextDueAt: new Date(nextDue).toISOString() } : {}) };
      }
      reached = index + 1;
      const key = { campaignId: campaign.id, personId: d.personId };
      if (d.kind === 'skip') {
        if (await deps.records.recordSkip(key, { status: 'SKIPPED', reason: d.reason }, at, d.arm)) skip(d.reason);
        else totals.alreadyDone += 1;
        continue;
      }
      if (d.kind === 'defer') {
        totals.deferred += 1;
        nextDue = Math.min(nextDue ?? Infinity, d.until.getTime());
        continue;
      }
      if (d.kind === 'holdout') {
        // Intent to treat: the holdout's clock starts at its would-be send time.
        if (await deps.records.recordSkip(key, { status: 'SKIPPED', reason: 'holdout', sentAt: d.send.at.toISOString() }, at, 'holdout')) totals.holdout += 1;
        else totals.alreadyDone += 1;
        continue;
      }
      const claim = await deps.records.claim(key, at, armLabel(d.arm));
      if (!claim.claimed) {
        await deps.caps.release(d.personId, d.capWindows);
        totals.alreadyDone += 1;
        continue;
      }
      const profile = byId.get(d.personId)!;
      let message: OutboundMessage;
      // A recommender error is thrown (the page is retried); it is not a rendering failure.
      const recommendations = campaign.recommendations && deps.recommendations ? await deps.recommendations(profile, campaign.recommendations) : [];
      try {
        message = messageFor(campaign, profile, scores.get(d.personId), recommendations, d.arm.arm === 'variant' ? d.arm.variantId : '', d.address, deps);
      } catch (err) {
        await deps.records.complete(key, { status: 'FAILED', error: `rendering: ${(err as Error).message}` }, at);
        await deps.caps.release(d.personId, d.capWindows);
        totals.failed += 1;
        continue;
      }
      const wait = lastSend + gapMs - Date.now();
      if (wait > 0) await sleep(wait);
      lastSend = Date.now();
      try {
        const result = await deps.sender(message);
        if (result.ok) {
          await deps.records.complete(key, { status: 'SENT', messageId: result.messageId, sentAt: new Date().toISOString() }, at);
          totals.sent += 1;
        } else {
          await deps.records.complete(key, { status: 'FAILED', error: result.error }, at);
          await deps.caps.release(d.personId, d.capWindows);
          totals.failed += 1;
        }
      } catch (err) {
        await releaseUnreached(index + 1);
        if (!deps.isNotAccepted?.(err)) throw err; // retryable and maybe sent: the claim (and its cap) stays
        await deps.records.unclaim(key);
        await deps.caps.release(d.personId, d.capWindows);
        return { ...(input.cursor ? { cursor: input.cursor } : {}), totals, done: false, throttled: true, ...(nextDue !== undefined ? { nextDueAt: new Date(nextDue).toISOString() } : {}) };
      }
    }
  } catch (err) {
    await releaseUnreached(reached);
    throw err;
  }
  return { ...(page.cursor ? { cursor: page.cursor } : {}), totals, done: !page.cursor, throttled: false, ...(nextDue !== undefined ? { nextDueAt: new Date(nextDue).toISOString() } : {}) };
}
