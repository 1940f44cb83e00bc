/**
 * Who a privacy request is about: the subject (ports.ts) resolved from one id.
 *
 * The id may be a profile id, a userId or an anonymousId (their profiles are `u-<userId>`,
 * `a-<anonymousId>`; other links are identity items). The resolver walks the profile
 * graph both ways — `mergedInto` up to the live profile, `absorbed` down to every profile
 * merged into it, transitively — and collects every identity those profiles list. An id
 * that names no profile still makes a subject (itself as userId and anonymousId): its
 * events may sit in the archive or the failed-events store without a profile.
 */
import { anonProfileId, userProfileId } from '../profiles/profile-ids.ts';
import type { ProfileGraph, Subject } from './ports.ts';

const MAX_PROFILES = 1_000;

const addAll = (set: Set<string>, values: Iterable<string>) => {
  for (const v of values) if (v) set.add(v);
};

export async function resolveSubject(id: string, graph: ProfileGraph): Promise<{ subject: Subject; profileFound: boolean }> {
  const owners = await graph.findIdentities([
    { kind: 'user', value: id },
    { kind: 'anon', value: id },
  ]);
  // A user's and a visitor's profile ids are derived from their ids (profiles/profile-ids.ts);
  // identity items exist only for links that cannot be derived.
  const queue = [id, userProfileId(id), anonProfileId(id), ...owners.values()];
  const profileIds = new Set<string>();
  const userIds = new Set<string>();
  const anonymousIds = new Set<string>();
  const emailHashes = new Set<string>();
  const emails = new Set<string>();
  const phones = new Set<string>();
  const seen: (string | undefined)[] = [];
  const visited = new Set<string>();
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (visited.has(pid)) continue;
    visited.add(pid);
    if (visited.size > MAX_PROFILES) throw new Error(`privacy: more than ${MAX_PROFILES} profiles linked to one person`);
    const p = await graph.getProfile(pid);
    if (!p) continue;
    profileIds.add(p.profileId);
    addAll(userIds, p.identities.userIds);
    addAll(anonymousIds, p.identities.anonymousIds);
    addAll(emailHashes, p.identities.emailHashes);
    if (typeof p.traits.email === 'string' && p.traits.email.trim()) emails.add(p.traits.email.trim());
    if (typeof p.traits.phone === 'string' && p.traits.phone.trim()) phones.add(p.traits.phone.trim());
    seen.push(p.aggregates?.firstSeen, p.aggregates?.lastSeen);
    if (p.mergedInto) queue.push(p.mergedInto);
    queue.push(...p.absorbed);
  }
  const profileFound = profileIds.size > 0;
  if (!profileFound) {
    userIds.add(id);
    anonymousIds.add(id);
  }
  const sorted = (s: Set<string>) => [...s].sort();
  // Event times are ISO 8601 UTC: the day is the first ten characters, and days sort as strings.
  const days = seen.every((t) => typeof t === 'string' && t.length >= 10) ? (seen as string[]).map((t) => t.slice(0, 10)).sort() : [];
  const activeDays = days.length > 0 ? { from: days[0], to: days[days.length - 1] } : undefined;
  return {
    subject: { requestedId: id, profileIds: sorted(profileIds), userIds: sorted(userIds), anonymousIds: sorted(anonymousIds), emailHashes: sorted(emailHashes), emails: sorted(emails), phones: sorted(phones), ...(activeDays ? { activeDays } : {}) },
    profileFound,
  };
}

/** Every string that identifies the subject (what a store's item must not mention after erasure). */
export function subjectStrings(s: Subject): string[] {
  return [...new Set([...s.profileIds, ...s.userIds, ...s.anonymousIds, ...s.emailHashes, ...s.emails, ...s.phones])].filter((v) => v.length > 0);
}
