/**
 * Ports of the Observe piece: what the admin API reads beyond the other pieces' own ports
 * (ProfileStore, ScoreStore, CampaignStore, ModelRegistry, the send records).
 *
 * - `CampaignRuns` is the Campaign state machine's executions (Step Functions in AWS, the
 *   local platform's loopback Step Functions API locally): an execution is named by its
 *   campaign id, so "start", "describe" and "list" need nothing else.
 * - `CampaignCatalog` lists the campaigns whose definitions are stored, for when executions
 *   are gone (AWS keeps them 90 days; the local runner keeps them in memory).
 * - `PipelineMetrics` answers the pipeline's health from what exists where it runs: CloudWatch
 *   metrics in AWS, the streams themselves locally (functions/adapters/observe-*.ts).
 * - `FailedEventCounts` counts the failed-events store by reason (its keys carry the reason).
 */
import type { SendRecord } from '../campaigns/ports.ts';

export interface CampaignRun {
  campaignId: string;
  status: string;
  startedAt?: string;
  stoppedAt?: string;
  error?: string;
}

export interface CampaignRuns {
  /** Starts the execution named `campaignId`; `started: false` when one with that name exists (nothing is sent twice). */
  start(campaignId: string, input: string): Promise<{ executionArn: string; started: boolean }>;
  describe(campaignId: string): Promise<CampaignRun | undefined>;
  list(): Promise<CampaignRun[]>;
}

export interface CampaignCatalog {
  listCampaignIds(): Promise<string[]>;
}

/** A send record with the feedback recorded on it (functions/adapters/dynamo-send-record-store.ts). */
export type ObservedSendRecord = SendRecord & { deliveredAt?: string; bouncedAt?: string; complainedAt?: string; firstClickAt?: string };

export interface SendRecordPages {
  listRecords(campaignId: string, opts?: { cursor?: string; limit?: number }): Promise<{ records: ObservedSendRecord[]; cursor?: string }>;
  get(key: { campaignId: string; personId: string }): Promise<ObservedSendRecord | undefined>;
}

export interface PipelineMetrics {
  readonly source: 'cloudwatch' | 'streams';
  /** Events accepted by the collection API per minute in [from, to); `truncated` when a bound cut the count short. */
  eventsPerMinute(from: Date, to: Date): Promise<{ points: { minute: string; count: number }[]; truncated: boolean }>;
  /** Iterator age (ms) per stream consumer; null where it cannot be measured. */
  consumerLag(from: Date, to: Date): Promise<{ consumer: string; iteratorAgeMs: number | null }[]>;
}

export interface FailedEventCounts {
  /** Failed events per reason stored on the given UTC days (YYYY-MM-DD). */
  countByReason(days: string[]): Promise<{ counts: Record<string, number>; truncated: boolean }>;
}
