/**
 * Re-evaluating tags without new events: recency grows every day, so lifecycle stage, RFM
 * recency and "one-time buyer" change on their own. A scheduled or manual pass calls this
 * per profile; it returns the updated profile, or undefined when nothing changed (no write).
 */
import type { Profile } from '../../schemas/profile.ts';
import type { RuleSet } from '../../schemas/tag-rules.ts';
import { evaluateTags } from './tags.ts';

export function retagProfile(p: Profile, asOf: Date, ruleSet: RuleSet, ruleSetId: string): Profile | undefined {
  if (p.mergedInto) return undefined;
  const tags = evaluateTags(p.aggregates, asOf, ruleSet);
  const same = p.tagsRuleSet === ruleSetId && JSON.stringify(Object.entries(tags).sort()) === JSON.stringify(Object.entries(p.tags).sort());
  if (same) return undefined;
  return { ...p, version: p.version + 1, tags, tagsRuleSet: ruleSetId, tagsAsOf: asOf.toISOString(), updatedAt: new Date().toISOString() };
}
