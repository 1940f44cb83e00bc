/**
 * Sources (write key → source id) on DynamoDB. Only the sha256 of a key is stored, so a
 * leaked table does not leak keys; the key is shown once, when the source is created.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sourceItemSchema, type SourceItem } from '../../schemas/profile.ts';
import type { SourceStore } from '../domain/collect/write-keys.ts';

export class DynamoSourceStore implements SourceStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findByKeyHash(keyHash: string): Promise<SourceItem | undefined> {
    const out = await this.ddb.send(new GetCommand({ TableName: this.tableName, Key: { pk: `SRC#${keyHash}` } }));
    return out.Item ? sourceItemSchema.parse(out.Item) : undefined;
  }

  async create(source: SourceItem): Promise<void> {
    await this.ddb.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `SRC#${source.keyHash}`, ...source },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }
}
