/**
 * Where campaign definitions, saved segments, the marketer's controls (pause, resume,
 * cancel) and run summaries live (port; functions/adapters/dynamo-campaign-store.ts).
 */
import type { CampaignDefinition } from '../../../schemas/campaign.ts';
import type { SegmentDefinition } from '../../../schemas/segment.ts';
import type { PageTotals } from './send-page.ts';
import type { AudienceCut } from './scan-audience.ts';

export type CampaignControl = 'running' | 'paused' | 'cancelled';

export interface CampaignSummary {
  campaignId: string;
  state: 'sending' | 'waiting' | 'done' | 'cancelled';
  sweeps: number;
  totals: PageTotals;
  /** The totals before the latest sweep: a retried summary adds that sweep once. */
  baseTotals?: PageTotals;
  /** When deferred people (quiet hours, local times) become due next. */
  nextDueAt?: string;
  updatedAt: string;
}

export interface CampaignStore {
  /** Stores the definition unless one with the same id differs: 'conflict' then (ids are execution names). */
  saveDefinition(campaign: CampaignDefinition, at: string): Promise<'created' | 'same' | 'conflict'>;
  getDefinition(campaignId: string): Promise<CampaignDefinition | undefined>;
  getControl(campaignId: string): Promise<CampaignControl>;
  setControl(campaignId: string, control: CampaignControl, at: string): Promise<void>;
  saveSegment(segment: SegmentDefinition, at: string): Promise<void>;
  getSegment(segmentId: string): Promise<SegmentDefinition | undefined>;
  listSegments(): Promise<SegmentDefinition[]>;
  saveSummary(summary: CampaignSummary): Promise<void>;
  /** Keeps a top audience's cut unless one is kept already; returns the one kept (the first wins, so a restart ranks nothing anew). */
  saveAudienceCut(campaignId: string, cut: AudienceCut): Promise<AudienceCut>;
  getAudienceCut(campaignId: string): Promise<AudienceCut | undefined>;
  getSummary(campaignId: string): Promise<CampaignSummary | undefined>;
}
