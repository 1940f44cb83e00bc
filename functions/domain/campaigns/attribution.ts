/**
 * Conversion attribution: a campaign's goal event (schemas/campaign.ts `goal`: an event name
 * and a window) credited to the arm of the person who did it, when it happened inside the
 * window that starts at their send — or, for the holdout, at their would-be send time
 * (intent to treat: the control's clock starts when it would have been mailed).
 *
 * Design:
 * - Cheap per event. Most clean events are not goal events: the consumer first keeps only
 *   `track` events whose name is the goal of a campaign still inside its attribution horizon
 *   (the goal registry: one small item per campaign, read once per batch that holds a track),
 *   so an ordinary page view costs no DynamoDB call of its own.
 * - Which campaigns a person is in comes from their send records, read directly: the record
 *   key is (campaign, person), and the candidates are the active campaigns with that goal ×
 *   the person's profile ids — one BatchGetItem per goal event. This costs no write per
 *   recipient (an index by person, a GSI or index items, would add one to every send, and
 *   writes are most of a campaign's cost: bench/results/campaigns.md). Its limit: reads grow
 *   with the number of concurrent campaigns sharing a goal (tens: fine; hundreds: an index
 *   by person would then be cheaper).
 * - Identity merges: the event's ids (userId → `u-…`, anonymousId → its owner or `a-…`)
 *   are followed to the surviving profile, whose `absorbed` list names the profiles merged
 *   into it; all of them are candidates, since the mail may have gone to a profile that was
 *   merged later. One person has one arm per campaign: when merged profiles were each sent
 *   the campaign, the survivor's record is credited, else the earliest.
 * - Which records count: those with an arm (sent, failed, unknown, the holdout, and people
 *   capped out after their arm was drawn — intent to treat keeps them in their arm). The
 *   window starts at `sentAt` (sent; the holdout's would-be send time) or, without one (a
 *   capped person, a failed send), at the decision instant `claimedAt`.
 * - Exactly once per goal event and campaign: the credit is one conditional update of the
 *   send record keyed on the event's messageId (`NOT contains(conversionIds, :id)`), so a
 *   redelivered batch, a retried Lambda or a replay adds nothing. Late events (received long
 *   after they happened) are judged by their own timestamp: inside the window they count.
 */
import type { CleanEvent } from '../../../schemas/clean-event.ts';
import type { Profile } from '../../../schemas/profile.ts';
import { identityKeyString, type IdentityKey, type ProfileStore } from '../profiles/ports.ts';
import { anonProfileId, userProfileId } from '../profiles/profile-ids.ts';
import type { SendKey, SendRecord } from './ports.ts';

/** A campaign whose goal is being attributed (the goal registry's item). */
export interface ActiveGoal {
  campaignId: string;
  event: string;
  windowHours: number;
  /** After this instant no event can fall in any of the campaign's windows. */
  until: string;
}

export interface GoalRegistry {
  register(goal: ActiveGoal, at: string): Promise<void>;
  /** Campaigns whose `until` is after `now`. */
  active(now: Date): Promise<ActiveGoal[]>;
}

export interface Conversion {
  /** The goal event's messageId: the credit's idempotency key. */
  messageId: string;
  at: string;
  revenue?: number;
  currency?: string;
}

export type ConversionResult = 'recorded' | 'duplicate' | 'no_record';

export interface ConversionStore {
  /** The send records among `keys` (absent ones are left out). */
  getRecords(keys: readonly SendKey[]): Promise<SendRecord[]>;
  recordConversion(key: SendKey, conversion: Conversion): Promise<ConversionResult>;
}

export interface AttributionDeps {
  goals: ActiveGoal[];
  records: ConversionStore;
  profiles: Pick<ProfileStore, 'getProfiles' | 'findIdentities'>;
}

export interface AttributionReport {
  goalEvents: number;
  credited: number;
  duplicates: number;
  /** Goal events of a person in the campaign but outside their window (before the send or after it closed). */
  outsideWindow: number;
  /** Goal events of people with no record in any active campaign with that goal. */
  unmatched: number;
}

const HOUR_MS = 3_600_000;

/** Where a record's attribution window starts, or undefined when it has no arm (never assigned). */
export function attributionStart(r: Pick<SendRecord, 'arm' | 'sentAt' | 'claimedAt'>): string | undefined {
  if (r.arm === undefined) return undefined;
  return r.sentAt ?? r.claimedAt;
}

/** Inside [start, start + window], both ends included. */
export function inWindow(start: string, eventAt: string, windowHours: number): boolean {
  const s = Date.parse(start);
  const t = Date.parse(eventAt);
  return t >= s && t <= s + windowHours * HOUR_MS;
}

/** The revenue a goal event carries: the order's (Clean normalised it) or a numeric `revenue` property. */
export function revenueOf(e: CleanEvent): Pick<Conversion, 'revenue' | 'currency'> {
  const revenue = e.order?.revenue ?? (typeof e.properties.revenue === 'number' && Number.isFinite(e.properties.revenue) ? e.properties.revenue : undefined);
  // A later part of an order split in parts adds revenue but is not another conversion; it is still a goal event with its own id.
  return revenue === undefined ? {} : { revenue, ...(e.currency ? { currency: e.currency } : {}) };
}

/**
 * The profile ids that may hold this person's send records: the ids the event derives, the
 * owner of its anonymousId, their survivors (merges followed), and what the survivors absorbed.
 * Profiles of a batch are read together by the caller (`known`).
 */
export function candidateIds(e: Pick<CleanEvent, 'userId' | 'anonymousId'>, owners: ReadonlyMap<string, string>, known: ReadonlyMap<string, Profile>): { ids: string[]; survivor?: string } {
  const direct: string[] = [];
  if (e.userId) direct.push(userProfileId(e.userId));
  if (e.anonymousId) direct.push(owners.get(identityKeyString({ kind: 'anon', value: e.anonymousId })) ?? anonProfileId(e.anonymousId));
  const ids = new Set(direct);
  let survivor: string | undefined;
  for (const id of direct) {
    let p = known.get(id);
    for (let i = 0; p?.mergedInto && i < 10; i++) {
      ids.add(p.mergedInto);
      p = known.get(p.mergedInto);
    }
    if (p) {
      survivor ??= p.profileId;
      ids.add(p.profileId);
      for (const a of p.absorbed) ids.add(a);
    }
  }
  return { ids: [...ids], ...(survivor ? { survivor } : {}) };
}

/** Reads profiles, following merges, until the chain ends (at most 10 hops, as the profile reader does). */
async function readProfiles(ids: Iterable<string>, store: AttributionDeps['profiles']): Promise<Map<string, Profile>> {
  const known = new Map<string, Profile>();
  let want = [...new Set(ids)];
  for (let hop = 0; want.length > 0 && hop < 10; hop++) {
    const got = await store.getProfiles(want);
    for (const [id, p] of got) known.set(id, p);
    want = [...got.values()].map((p) => p.mergedInto).filter((m): m is string => m !== undefined && !known.has(m));
  }
  return known;
}

/** Of a person's records in one campaign (several only after a merge), the one that carries the credit. */
function creditedRecord(records: readonly SendRecord[], survivor: string | undefined): SendRecord | undefined {
  const assigned = records.filter((r) => attributionStart(r) !== undefined);
  return assigned.find((r) => r.personId === survivor) ?? [...assigned].sort((a, b) => attributionStart(a)!.localeCompare(attributionStart(b)!))[0];
}

/** The goal events among clean events: `track` events whose name is an active campaign's goal. */
export function goalEventsOf(events: readonly CleanEvent[], goals: readonly ActiveGoal[]): CleanEvent[] {
  const names = new Set(goals.map((g) => g.event));
  return events.filter((e) => e.type === 'track' && e.event !== undefined && names.has(e.event));
}

export async function attributeConversions(events: readonly CleanEvent[], deps: AttributionDeps): Promise<AttributionReport> {
  const report: AttributionReport = { goalEvents: 0, credited: 0, duplicates: 0, outsideWindow: 0, unmatched: 0 };
  const goalEvents = goalEventsOf(events, deps.goals);
  report.goalEvents = goalEvents.length;
  if (goalEvents.length === 0) return report;

  const anonKeys: IdentityKey[] = [...new Set(goalEvents.map((e) => e.anonymousId).filter((a): a is string => a !== undefined))].map((value) => ({ kind: 'anon', value }));
  const owners = anonKeys.length ? await deps.profiles.findIdentities(anonKeys) : new Map<string, string>();
  const direct = goalEvents.flatMap((e) => [...(e.userId ? [userProfileId(e.userId)] : []), ...(e.anonymousId ? [owners.get(identityKeyString({ kind: 'anon', value: e.anonymousId })) ?? anonProfileId(e.anonymousId)] : [])]);
  const known = await readProfiles(direct, deps.profiles);
  const absorbed = [...known.values()].flatMap((p) => p.absorbed).filter((id) => !known.has(id));
  for (const [id, p] of await readProfiles(absorbed, deps.profiles)) known.set(id, p);

  for (const e of goalEvents) {
    const campaigns = deps.goals.filter((g) => g.event === e.event);
    const { ids, survivor } = candidateIds(e, owners, known);
    const records = await deps.records.getRecords(campaigns.flatMap((g) => ids.map((personId) => ({ campaignId: g.campaignId, personId }))));
    let matched = false;
    for (const g of campaigns) {
      const r = creditedRecord(records.filter((x) => x.campaignId === g.campaignId), survivor);
      if (!r) continue;
      matched = true;
      if (!inWindow(attributionStart(r)!, e.timestamp, g.windowHours)) {
        report.outsideWindow += 1;
        continue;
      }
      const result = await deps.records.recordConversion({ campaignId: r.campaignId, personId: r.personId }, { messageId: e.messageId, at: e.timestamp, ...revenueOf(e) });
      if (result === 'recorded') report.credited += 1;
      else if (result === 'duplicate') report.duplicates += 1;
    }
    if (!matched) report.unmatched += 1;
  }
  return report;
}

/** How long after its start a campaign's goal can still be credited: the longest run (7 days, the state machine's timeout) plus the window. */
export function attributionHorizon(startedAt: string, windowHours: number): string {
  return new Date(Date.parse(startedAt) + 7 * 24 * HOUR_MS + windowHours * HOUR_MS).toISOString();
}
