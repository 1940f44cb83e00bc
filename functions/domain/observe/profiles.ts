/**
 * What the admin API shows about people: the overview (how many, lifecycle and RFM
 * distributions), a search by id or email hash, and one profile with its scores, their
 * explanations, consent and latest campaign contacts. Pure: the other pieces' ports are
 * passed in (profile store and scan, scores, send records).
 *
 * The overview and the segment preview read the whole table once per request (a scan, a page
 * at a time, nothing kept but counters): fine for an admin tool on up to a few hundred
 * thousand profiles; beyond that the figures belong in a periodic job's stored summary.
 */
import type { Profile } from '../../../schemas/profile.ts';
import type { Overview, ProfileDetail } from '../../../schemas/api/admin.ts';
import type { ProfileScanner, ProfileStore } from '../profiles/ports.ts';
import type { ScoreStore } from '../score/ports.ts';
import { profileView } from '../profiles/profile-view.ts';
import { countryOf, lifecycleOf, type ProfileScores } from '../campaigns/segments.ts';
import { DEFAULT_K, distribution } from './k-anonymity.ts';
import { NotFoundError } from '../shared/errors.ts';
import type { SendRecordPages } from './ports.ts';

/** Every profile of the table with its scores, a page at a time. */
export async function forEachProfile(deps: { scanner: ProfileScanner; scores?: Pick<ScoreStore, 'getScores'> }, visit: (p: Profile, scores: ProfileScores) => void): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await deps.scanner.scanProfiles({ segment: 0, totalSegments: 1, cursor });
    const live = page.profiles.filter((p) => !p.mergedInto).map((p) => p.profileId);
    const scores = deps.scores && live.length ? await deps.scores.getScores(live) : new Map();
    for (const p of page.profiles) visit(p, scores.get(p.profileId));
    cursor = page.cursor;
  } while (cursor);
}

export const NO_RFM = '(none)';

export async function overview(deps: { scanner: ProfileScanner; now: () => Date; k?: number }): Promise<Overview> {
  const k = deps.k ?? DEFAULT_K;
  const lifecycle = new Map<string, number>();
  const rfm = new Map<string, number>();
  let profiles = 0;
  let merged = 0;
  let events = 0;
  await forEachProfile({ scanner: deps.scanner }, (p) => {
    if (p.mergedInto) return void merged++;
    profiles++;
    events += p.aggregates.events;
    const l = lifecycleOf(p);
    lifecycle.set(l, (lifecycle.get(l) ?? 0) + 1);
    const r = typeof p.tags.rfm_segment === 'string' ? p.tags.rfm_segment : NO_RFM;
    rfm.set(r, (rfm.get(r) ?? 0) + 1);
  });
  return { k, profiles, merged, events, lifecycle: distribution(lifecycle, profiles, k), rfm: distribution(rfm, profiles, k), asOf: deps.now().toISOString() };
}

/** A profile by any id the dashboard holds: an identity (profile-ids.ts rules), else a profile id. */
async function viewAny(id: string, deps: { store: ProfileStore; scores: Pick<ScoreStore, 'getScores'> }) {
  try {
    return await profileView(id, deps);
  } catch (err) {
    if (!(err instanceof NotFoundError) || id.includes(':')) throw err;
    return profileView(`profile:${id}`, deps);
  }
}

const summaryOf = (p: Profile) => ({ profileId: p.profileId, userIds: p.identities.userIds, lifecycle: lifecycleOf(p), country: countryOf(p), orders: p.aggregates.orders, updatedAt: p.updatedAt });

const SEARCH_LIMIT = 20;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Profiles by id: an exact id (`u-…`, `a-…`, `user:…`, `anon:…`, `email:<sha256>`, a bare
 * userId or a 64-hex email hash) is looked up directly; anything else is a prefix of a userId
 * or profile id, found by one scan (at most 20 matches).
 */
export async function searchProfiles(query: string, deps: { store: ProfileStore; scanner: ProfileScanner; scores: Pick<ScoreStore, 'getScores'> }) {
  const q = query.trim();
  const exact = HEX64.test(q.toLowerCase()) ? `email:${q.toLowerCase()}` : q;
  const direct = q ? await viewAny(exact, deps).catch(() => undefined) : undefined;
  if (direct) return { query: q, matches: [summaryOf(direct as Profile)], truncated: false };
  const matches: ReturnType<typeof summaryOf>[] = [];
  let truncated = false;
  await forEachProfile({ scanner: deps.scanner }, (p) => {
    if (p.mergedInto || !q) return;
    if (p.profileId.startsWith(q) || p.identities.userIds.some((u) => u.startsWith(q))) {
      if (matches.length < SEARCH_LIMIT) matches.push(summaryOf(p));
      else truncated = true;
    }
  });
  return { query: q, matches, truncated };
}

/** One profile with its scores (contributions largest first), consent and latest campaign contacts. */
export async function profileDetail(
  id: string,
  deps: { store: ProfileStore; scores: Pick<ScoreStore, 'getScores'>; sendRecords?: Pick<SendRecordPages, 'get'>; campaignIds?: () => Promise<string[]> },
): Promise<ProfileDetail> {
  const profile = await viewAny(id, deps);
  const scores = Object.fromEntries(
    Object.entries(profile.scores ?? {}).map(([name, s]) => [name, { ...s, contributions: [...s.contributions].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution)) }]),
  );
  const contacts: ProfileDetail['contacts'] = [];
  if (profile.campaignContact) contacts.push({ campaignId: profile.campaignContact.campaign, status: profile.campaignContact.outcome ?? 'contacted', at: profile.campaignContact.at });
  if (deps.sendRecords && deps.campaignIds) {
    const ids = (await deps.campaignIds()).slice(0, 50);
    const records = await Promise.all(ids.map((campaignId) => deps.sendRecords!.get({ campaignId, personId: profile.profileId })));
    for (const r of records) if (r) contacts.push({ campaignId: r.campaignId, status: r.status, ...(r.arm ? { arm: r.arm } : {}), ...(r.reason ? { reason: r.reason } : {}), at: r.sentAt ?? r.updatedAt });
  }
  contacts.sort((a, b) => (b.at ?? '').localeCompare(a.at ?? ''));
  return { profile, scores, consent: profile.consent, contacts };
}
