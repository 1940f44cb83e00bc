/**
 * CampaignStore on the campaigns table (keys in campaigns-table.ts): definitions (written
 * once per id: a second start with the same definition is 'same', a different one
 * 'conflict'), the marketer's control flag, run summaries and saved segments.
 */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { campaignSchema, type CampaignDefinition } from '../../schemas/campaign.ts';
import { segmentDefinitionSchema, type SegmentDefinition } from '../../schemas/segment.ts';
import type { CampaignControl, CampaignStore, CampaignSummary } from '../domain/campaigns/campaign-store.ts';
import type { AudienceCut } from '../domain/campaigns/scan-audience.ts';
import { campaignItemKey, putIfAbsent, segmentKey } from './campaigns-table.ts';

const hashOf = (c: CampaignDefinition) => createHash('sha256').update(JSON.stringify(c)).digest('hex');

export class DynamoCampaignStore implements CampaignStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async get(key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
    return (await this.ddb.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))).Item;
  }

  private async put(item: Record<string, unknown>): Promise<void> {
    await this.ddb.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  async saveDefinition(campaign: CampaignDefinition, at: string): Promise<'created' | 'same' | 'conflict'> {
    const definitionHash = hashOf(campaign);
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...campaignItemKey(campaign.id, 'DEF'), kind: 'campaign', schemaVersion: 1, definitionHash, definition: JSON.stringify(campaign), createdAt: at },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'created';
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const existing = await this.get(campaignItemKey(campaign.id, 'DEF'));
      return existing?.definitionHash === definitionHash ? 'same' : 'conflict';
    }
  }

  async getDefinition(campaignId: string): Promise<CampaignDefinition | undefined> {
    const item = await this.get(campaignItemKey(campaignId, 'DEF'));
    return item ? campaignSchema.parse(JSON.parse(String(item.definition))) : undefined;
  }

  async getControl(campaignId: string): Promise<CampaignControl> {
    const item = await this.get(campaignItemKey(campaignId, 'CONTROL'));
    return (item?.control as CampaignControl | undefined) ?? 'running';
  }

  async setControl(campaignId: string, control: CampaignControl, at: string): Promise<void> {
    await this.put({ ...campaignItemKey(campaignId, 'CONTROL'), kind: 'campaign-control', schemaVersion: 1, control, at });
  }

  async saveSummary(summary: CampaignSummary): Promise<void> {
    await this.put({ ...campaignItemKey(summary.campaignId, 'SUMMARY'), kind: 'campaign-summary', schemaVersion: 1, summary: JSON.stringify(summary) });
  }

  async getSummary(campaignId: string): Promise<CampaignSummary | undefined> {
    const item = await this.get(campaignItemKey(campaignId, 'SUMMARY'));
    return item ? (JSON.parse(String(item.summary)) as CampaignSummary) : undefined;
  }

  async saveAudienceCut(campaignId: string, cut: AudienceCut): Promise<AudienceCut> {
    const item = { ...campaignItemKey(campaignId, 'AUDIENCE'), kind: 'campaign-audience', schemaVersion: 1, cut: JSON.stringify(cut) };
    return (await putIfAbsent(this.ddb, this.tableName, item)) ? cut : (await this.getAudienceCut(campaignId))!;
  }

  async getAudienceCut(campaignId: string): Promise<AudienceCut | undefined> {
    const item = await this.get(campaignItemKey(campaignId, 'AUDIENCE'));
    return item ? (JSON.parse(String(item.cut)) as AudienceCut) : undefined;
  }

  async saveSegment(segment: SegmentDefinition, at: string): Promise<void> {
    await this.put({ ...segmentKey(segment.id), kind: 'segment', schemaVersion: 1, definition: JSON.stringify(segment), updatedAt: at });
  }

  async getSegment(segmentId: string): Promise<SegmentDefinition | undefined> {
    const item = await this.get(segmentKey(segmentId));
    return item ? segmentDefinitionSchema.parse(JSON.parse(String(item.definition))) : undefined;
  }

  async listSegments(): Promise<SegmentDefinition[]> {
    const out: SegmentDefinition[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.ddb.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'SEGMENTS' }, ExclusiveStartKey: start }));
      for (const i of page.Items ?? []) out.push(segmentDefinitionSchema.parse(JSON.parse(String(i.definition))));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
