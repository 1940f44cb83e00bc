/**
 * Consent: the current state derived from the profile's consent history (schemas/consent.ts),
 * and the history kept append-only and bounded.
 *
 * Design:
 * - Pure: a history in, a status out. Every reader (campaigns, recommendations, scoring,
 *   segments through the derived flat map) asks here; none reads raw keys.
 * - Per key, the entry that wins is the newest `at`; at equal `at`, withdrawn beats denied
 *   beats granted; then the source (unsubscribe, cli, api, segment, legacy, in that order);
 *   then `since`. That is a total order on what matters, so derivation never depends on the
 *   order entries arrived or were merged in.
 * - `<channel>.<purpose>` (what campaigns ask) is decided by the newest of: the winner of
 *   `<channel>.<purpose>`; the winner of `<purpose>` or of `<channel>` when it is a denial or
 *   a withdrawal (refusing a purpose refuses it everywhere; refusing a channel refuses every
 *   purpose on it); and, when both `<channel>` and `<purpose>` are granted, a grant as of the
 *   later of the two (Segment sites that send `email: true, marketing: true`). A grant of one
 *   half alone grants nothing. `<purpose>` alone (profiling, personalisation) is its winner.
 *   Nothing said is `unknown`, and unknown is not granted.
 *   For a v1 profile's flat map (every key at one time) this is exactly the rule campaigns
 *   used before (eligibility.ts): any `false` of the three denies; `email.marketing: true`,
 *   or `email` and `marketing` both true, grants.
 * - Append-only: an entry is never changed or removed, except (a) a repetition of a key's
 *   winning status from the same source, which moves that entry's `at` to the repetition
 *   and keeps the first time in `since` (Segment sends categoryPreferences on every event:
 *   without this every page view would add an entry; the derived state is the same either
 *   way, because only each key's winner is ever read), and (b) the bound below.
 * - Bounded: at most MAX_CONSENT_HISTORY entries. Past it the oldest entries go, but never
 *   the winner of a key: derivation reads only each key's winner, so truncation can never
 *   change the derived state. The known keys are at most 4 × 4 + 4 + 4 = 24; other
 *   categories (segment-only) are capped at MAX_OTHER_KEYS, the least recently said
 *   dropped first (the only case where something derived — a segment-only flag — is lost).
 * - Merges take the union of both histories (identical entries once), then the bound: the
 *   same total order makes merging A into B equal to merging B into A.
 */
import {
  CONSENT_CHANNELS,
  CONSENT_PURPOSES,
  KNOWN_CONSENT_KEY,
  type ConsentChannel,
  type ConsentEntry,
  type ConsentPurpose,
  type ConsentSource,
  type ConsentStatus,
  type DerivedConsentStatus,
  CONSENT_EVENT,
  consentEventPropertiesSchema,
} from '../../../schemas/consent.ts';
import type { CleanEvent } from '../../../schemas/clean-event.ts';

/** What a profile holds of consent (schemas/profile.ts). */
export interface ConsentHolder {
  consent: Record<string, boolean>;
  consentHistory?: ConsentEntry[];
  updatedAt: string;
}

export const MAX_CONSENT_HISTORY = 64;
export const MAX_OTHER_KEYS = 16;

const STATUS_RANK: Record<ConsentStatus, number> = { granted: 0, denied: 1, withdrawn: 2 };
const SOURCE_RANK: Record<ConsentSource, number> = { legacy: 0, segment: 1, api: 2, cli: 3, unsubscribe: 4 };
const ms = (iso: string) => Date.parse(iso);

/** > 0 when `a` wins over `b` (is newer, or refuses at the same instant, …): a total order. */
export function compareEntries(a: ConsentEntry, b: ConsentEntry): number {
  return (
    ms(a.at) - ms(b.at) ||
    STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
    SOURCE_RANK[a.source] - SOURCE_RANK[b.source] ||
    (a.since === b.since ? 0 : a.since === undefined ? 1 : b.since === undefined ? -1 : ms(a.since) - ms(b.since)) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}

const sameEntry = (a: ConsentEntry, b: ConsentEntry) => a.key === b.key && a.status === b.status && a.at === b.at && a.source === b.source && a.since === b.since;

/** Each key's winning entry. */
export function winners(history: readonly ConsentEntry[]): Map<string, ConsentEntry> {
  const out = new Map<string, ConsentEntry>();
  for (const e of history) {
    const w = out.get(e.key);
    if (!w || compareEntries(e, w) > 0) out.set(e.key, e);
  }
  return out;
}

const newest = (candidates: (ConsentEntry | undefined)[]): ConsentEntry | undefined =>
  candidates.reduce<ConsentEntry | undefined>((best, c) => (c && (!best || compareEntries(c, best) > 0) ? c : best), undefined);

/** A purpose on a channel (what a campaign asks: `email`, `marketing`). */
export function channelConsent(w: ReadonlyMap<string, ConsentEntry>, channel: ConsentChannel | string, purpose: ConsentPurpose): DerivedConsentStatus {
  const exact = w.get(`${channel}.${purpose}`);
  const whole = w.get(purpose);
  const chan = w.get(channel);
  const refusal = (e?: ConsentEntry) => (e && e.status !== 'granted' ? e : undefined);
  const both = whole?.status === 'granted' && chan?.status === 'granted' ? (compareEntries(whole, chan) > 0 ? whole : chan) : undefined;
  return newest([exact, refusal(whole), refusal(chan), both])?.status ?? 'unknown';
}

/** A purpose as a whole (profiling, personalisation, analytics): only `<purpose>` entries decide it. */
export function purposeConsent(w: ReadonlyMap<string, ConsentEntry>, purpose: ConsentPurpose): DerivedConsentStatus {
  return w.get(purpose)?.status ?? 'unknown';
}

/** The derived state: every known cell and purpose that was ever said, with its status. */
export function deriveConsent(history: readonly ConsentEntry[]): Record<string, DerivedConsentStatus> {
  const w = winners(history);
  const out: Record<string, DerivedConsentStatus> = {};
  for (const p of CONSENT_PURPOSES) {
    const whole = purposeConsent(w, p);
    if (whole !== 'unknown') out[p] = whole;
    for (const c of CONSENT_CHANNELS) {
      const s = channelConsent(w, c, p);
      if (s !== 'unknown') out[`${c}.${p}`] = s;
    }
  }
  return out;
}

/**
 * The flat `consent` map profiles have always had (segments target `consent.<key>`): every
 * key ever said → its winner is a grant; every known cell → its derived status is a grant.
 */
export function consentFlags(history: readonly ConsentEntry[]): Record<string, boolean> {
  const flags: Record<string, boolean> = {};
  for (const [k, e] of winners(history)) flags[k] = e.status === 'granted';
  for (const [k, s] of Object.entries(deriveConsent(history))) flags[k] = s === 'granted';
  return flags;
}

/** A v1 profile's flat map as history: every key said at the profile's last update. */
export function legacyHistory(flags: Readonly<Record<string, boolean>>, at: string): ConsentEntry[] {
  return Object.entries(flags).map(([key, v]) => ({ key, status: v ? 'granted' : 'denied', at, source: 'legacy' }) satisfies ConsentEntry);
}

/** The history of a profile as stored, or derived from its v1 flat map. */
export function consentHistoryOf(p: { consent: Readonly<Record<string, boolean>>; consentHistory?: ConsentEntry[]; updatedAt: string }): ConsentEntry[] {
  return p.consentHistory ?? legacyHistory(p.consent, p.updatedAt);
}

/** Whether marketing on this channel may be sent (campaigns). */
export const marketingStatus = (history: readonly ConsentEntry[], channel: string): DerivedConsentStatus => channelConsent(winners(history), channel, 'marketing');
/** Whether a purpose as a whole is granted (scoring: `profiling`; recommendations: `personalisation`). */
export const purposeStatus = (history: readonly ConsentEntry[], purpose: ConsentPurpose): DerivedConsentStatus => purposeConsent(winners(history), purpose);

const isKnownKey = (k: string) => KNOWN_CONSENT_KEY.test(k) || (CONSENT_CHANNELS as readonly string[]).includes(k);

/** Oldest first, in the same total order derivation uses (so the stored order is canonical). */
const sorted = (h: ConsentEntry[]) => h.sort(compareEntries);

/** The bound (module comment): winners always stay; other categories capped; then the newest. */
export function boundHistory(history: readonly ConsentEntry[]): ConsentEntry[] {
  let h = sorted([...history]);
  const w = winners(h);
  const others = [...w.values()].filter((e) => !isKnownKey(e.key)).sort((a, b) => compareEntries(b, a));
  if (others.length > MAX_OTHER_KEYS) {
    const drop = new Set(others.slice(MAX_OTHER_KEYS).map((e) => e.key));
    h = h.filter((e) => !drop.has(e.key));
  }
  if (h.length <= MAX_CONSENT_HISTORY) return h;
  const keep = new Set(winners(h).values());
  let spare = MAX_CONSENT_HISTORY - keep.size;
  const kept: ConsentEntry[] = [];
  for (let i = h.length - 1; i >= 0; i--) {
    const e = h[i];
    if (keep.has(e)) kept.push(e);
    else if (spare > 0) {
      kept.push(e);
      spare -= 1;
    }
  }
  return kept.reverse();
}

/** Appends what was said (module comment: repetitions extend the winner), then bounds. */
export function recordConsent(history: readonly ConsentEntry[], said: readonly ConsentEntry[]): ConsentEntry[] {
  const h = [...history];
  for (const e of said) {
    const w = winners(h).get(e.key);
    if (w && w.status === e.status && w.source === e.source && ms(w.at) <= ms(e.at)) {
      if (w.at !== e.at) h[h.indexOf(w)] = { ...w, at: e.at, since: w.since ?? w.at };
      continue;
    }
    if (h.some((x) => sameEntry(x, e))) continue;
    h.push(e);
  }
  return boundHistory(h);
}

/** Both histories, identical entries once, bounded: commutative. */
export function mergeConsentHistories(a: readonly ConsentEntry[], b: readonly ConsentEntry[]): ConsentEntry[] {
  const out = [...a];
  for (const e of b) if (!out.some((x) => sameEntry(x, e))) out.push(e);
  return boundHistory(out);
}

/** Segment `context.consent.categoryPreferences` of an event, as entries at its time. */
export function entriesFromPreferences(prefs: Readonly<Record<string, boolean>>, at: string): ConsentEntry[] {
  return Object.entries(prefs).map(([key, v]) => ({ key, status: v ? 'granted' : 'denied', at, source: 'segment' }) satisfies ConsentEntry);
}

/**
 * What one clean event says about consent: its categoryPreferences (source `segment`), and,
 * for a CONSENT_EVENT track (POST /v1/consent, the CLI, the unsubscribe), its records with
 * their source. A consent event whose properties are not a valid record says nothing.
 */
export function consentEntriesOf(e: Pick<CleanEvent, 'type' | 'event' | 'properties' | 'consent' | 'timestamp'>): ConsentEntry[] {
  const out = e.consent ? entriesFromPreferences(e.consent, e.timestamp) : [];
  if (isConsentRecord(e)) {
    const r = consentEventPropertiesSchema.safeParse(e.properties);
    if (r.success) for (const [key, status] of Object.entries(r.data.consent)) out.push({ key, status, at: e.timestamp, source: r.data.source });
  }
  return out;
}

/** A consent record is not the person's activity: it leaves aggregates (events, last seen) alone. */
export const isConsentRecord = (e: Pick<CleanEvent, 'type' | 'event'>): boolean => e.type === 'track' && e.event === CONSENT_EVENT;

/** A profile's consent after what it said: the history and the flat map derived from it. */
export function withConsent<P extends ConsentHolder>(p: P, said: readonly ConsentEntry[]): P {
  if (said.length === 0) return p;
  const consentHistory = recordConsent(consentHistoryOf(p), said);
  return { ...p, consentHistory, consent: consentFlags(consentHistory) };
}

/** The consent of a merged profile: both histories. */
export function mergedConsent(a: ConsentHolder, b: ConsentHolder): { consent: Record<string, boolean>; consentHistory?: ConsentEntry[] } {
  if (!a.consentHistory && !b.consentHistory && Object.keys(a.consent).length === 0 && Object.keys(b.consent).length === 0) return { consent: {} };
  const consentHistory = mergeConsentHistories(consentHistoryOf(a), consentHistoryOf(b));
  return { consent: consentFlags(consentHistory), consentHistory };
}
