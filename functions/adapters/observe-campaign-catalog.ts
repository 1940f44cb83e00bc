/**
 * CampaignCatalog on the campaigns table: the ids of stored definitions (`sk = DEF`). The
 * table has no index by kind, so this is a filtered scan reading every item (send records
 * included): what the dashboard needs when executions are gone, bounded to a few pages; in
 * AWS the execution list (kept 90 days) is the main source (observe-campaign-runs.ts).
 */
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CampaignCatalog } from '../domain/observe/ports.ts';

const MAX_PAGES = 20;

export class DynamoCampaignCatalog implements CampaignCatalog {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async listCampaignIds(): Promise<string[]> {
    const ids: string[] = [];
    let start: Record<string, unknown> | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await this.ddb.send(
        new ScanCommand({ TableName: this.tableName, FilterExpression: 'sk = :def', ProjectionExpression: 'pk', ExpressionAttributeValues: { ':def': 'DEF' }, ExclusiveStartKey: start }),
      );
      for (const i of out.Items ?? []) ids.push(String(i.pk).replace(/^C#/, ''));
      start = out.LastEvaluatedKey;
      if (!start) break;
    }
    return ids;
  }
}
