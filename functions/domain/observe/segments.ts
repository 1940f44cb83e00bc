/**
 * Segments for the admin API: the saved ones, and a preview (size, sample, breakdown by
 * lifecycle and country) of a saved or a new definition in one pass over the profiles
 * (functions/domain/campaigns/segments.ts does the counting).
 */
import { segmentDefinitionSchema, type SegmentDefinition } from '../../../schemas/segment.ts';
import type { CampaignStore } from '../campaigns/campaign-store.ts';
import { createSegmentPreview, type SegmentPreview } from '../campaigns/segments.ts';
import type { ProfileScanner } from '../profiles/ports.ts';
import type { ScoreStore } from '../score/ports.ts';
import { InvalidRequestError, NotFoundError } from '../shared/errors.ts';
import { forEachProfile } from './profiles.ts';

export interface SegmentDeps {
  campaigns: Pick<CampaignStore, 'getSegment' | 'listSegments'>;
  scanner: ProfileScanner;
  scores: Pick<ScoreStore, 'getScores'>;
  now: () => Date;
}

/** A definition from a request body, every wrong field named. */
export function parseSegmentDefinition(body: unknown): SegmentDefinition {
  const r = segmentDefinitionSchema.safeParse(body);
  if (!r.success) throw new InvalidRequestError('validation_failed', r.error.issues.map((i) => ({ field: i.path.join('.') || '(root)', rule: i.message })));
  return r.data;
}

export async function previewDefinition(def: SegmentDefinition, deps: Omit<SegmentDeps, 'campaigns'>, sampleSize = 10): Promise<SegmentPreview> {
  const preview = createSegmentPreview(def, { sampleSize, now: deps.now() });
  await forEachProfile(deps, (p, scores) => preview.add(p, scores));
  return preview.result();
}

export async function segmentDetail(id: string, deps: SegmentDeps) {
  const definition = await deps.campaigns.getSegment(id);
  if (!definition) throw new NotFoundError(`no segment ${id}`);
  return { definition, preview: await previewDefinition(definition, deps) };
}
