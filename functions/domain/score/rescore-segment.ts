/**
 * One step of the scheduled daily refresh (the Rescore state machine, lib/constructs/
 * score.ts): scans pages of one segment of the profiles table, re-tags them as of now and
 * re-scores them (recency grows every day without events: lifecycle, RFM recency, churn and
 * value all move), until the segment ends or the time budget runs low; returns where to
 * continue. The state machine loops on `done`; only the cursor and totals travel in its state.
 */
import { z } from 'zod';
import type { Profile } from '../../../schemas/profile.ts';
import type { RuleSet } from '../../../schemas/tag-rules.ts';
import type { ProfileScanner, ProfileStore } from '../profiles/ports.ts';
import { retagProfiles } from '../tag/retag.ts';
import type { ModelArtifact } from './artifact.ts';
import { rescoreProfiles, type RescoreReport } from './keep-scores.ts';
import type { ScoreStore } from './ports.ts';

export const rescoreInputSchema = z.object({
  segment: z.number().int().min(0),
  totalSegments: z.number().int().min(1).max(1000),
  cursor: z.string().optional(),
  /** Totals so far for this segment (the state machine passes them back in). */
  totals: z.object({ profiles: z.number(), scored: z.number(), unchanged: z.number(), skipped: z.number(), retagged: z.number().default(0) }).optional(),
});
export type RescoreInput = z.infer<typeof rescoreInputSchema>;
export type RescoreTotals = RescoreReport & { retagged: number };
export type RescoreOutput = Omit<RescoreInput, 'cursor'> & { cursor?: string; done: boolean; totals: RescoreTotals };

export interface RescoreDeps {
  store: Pick<ProfileStore, 'getProfile' | 'saveProfile'> & ProfileScanner;
  scores: ScoreStore;
  models: { get(): Promise<ModelArtifact[]> };
  asOf: (profile: Profile) => Date;
  now: () => Date;
  /** Tags are re-evaluated with this rule set before scoring (functions/domain/tag/tags.ts). */
  ruleSet: RuleSet;
  ruleSetId: string;
  /** Stop starting pages when less than this is left of the invocation. */
  reserveMs?: number;
  /** Told after each page (metrics). */
  onPage?: (page: { retagged: number; scored: number }) => void;
}

export const RESCORE_PAGE = 500;

export async function rescoreSegment(input: unknown, remainingMs: () => number, deps: RescoreDeps): Promise<RescoreOutput> {
  const { segment, totalSegments, cursor: start, totals: before } = rescoreInputSchema.parse(input);
  const totals: RescoreTotals = before ?? { profiles: 0, scored: 0, unchanged: 0, skipped: 0, retagged: 0 };
  const models = await deps.models.get();
  let cursor = start;
  if (models.length === 0) return { segment, totalSegments, done: true, totals };
  do {
    const page = await deps.store.scanProfiles({ segment, totalSegments, cursor, limit: RESCORE_PAGE });
    const tagged = await retagProfiles(page.profiles, deps);
    const r = await rescoreProfiles(tagged.profiles, { ...deps, models });
    for (const k of Object.keys(r) as (keyof RescoreReport)[]) totals[k] += r[k];
    totals.retagged += tagged.retagged;
    deps.onPage?.({ retagged: tagged.retagged, scored: r.scored });
    cursor = page.cursor;
  } while (cursor && remainingMs() > (deps.reserveMs ?? 60_000));
  return { segment, totalSegments, ...(cursor ? { cursor } : {}), done: !cursor, totals };
}
