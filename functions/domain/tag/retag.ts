/**
 * Re-evaluating tags without new events: recency grows every day, so lifecycle stage, RFM
 * recency and "one-time buyer" change on their own. A scheduled or manual pass calls this
 * per profile; it returns the updated profile, or undefined when nothing changed (no write).
 */
import type { Profile } from '../../../schemas/profile.ts';
import type { RuleSet } from '../../../schemas/tag-rules.ts';
import type { ProfileStore } from '../profiles/ports.ts';
import { evaluateTags, withAssignedTags } from './tags.ts';

export function retagProfile(p: Profile, asOf: Date, ruleSet: RuleSet, ruleSetId: string): Profile | undefined {
  if (p.mergedInto) return undefined;
  const tags = withAssignedTags(p.tags, evaluateTags(p.aggregates, asOf, ruleSet));
  const same = p.tagsRuleSet === ruleSetId && JSON.stringify(Object.entries(tags).sort()) === JSON.stringify(Object.entries(p.tags).sort());
  if (same) return undefined;
  return { ...p, version: p.version + 1, tags, tagsRuleSet: ruleSetId, tagsAsOf: asOf.toISOString(), updatedAt: new Date().toISOString() };
}

/**
 * Re-tags a page of profiles as of `asOf(profile)` and writes those whose tags changed,
 * conditional on the version read. A lost race keeps the profile as read: the writer that won
 * was Tag, which evaluated the tags afresh. Returns the profiles as they now stand.
 */
export async function retagProfiles(
  profiles: Profile[],
  deps: { asOf: (p: Profile) => Date; store: Pick<ProfileStore, 'saveProfile'>; ruleSet: RuleSet; ruleSetId: string },
): Promise<{ profiles: Profile[]; retagged: number; conflicts: number }> {
  let retagged = 0;
  let conflicts = 0;
  const out: Profile[] = [];
  for (const p of profiles) {
    const next = retagProfile(p, deps.asOf(p), deps.ruleSet, deps.ruleSetId);
    if (next && (await deps.store.saveProfile(next, p.version))) {
      retagged += 1;
      out.push(next);
    } else {
      if (next) conflicts += 1;
      out.push(p);
    }
  }
  return { profiles: out, retagged, conflicts };
}
