/**
 * Creates in the emulators exactly the tables, streams and buckets the CDK app defines
 * (read from the synthesized templates, local/cdk-model.ts). Idempotent: existing
 * resources are kept, with their data, across runs.
 */
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, ResourceInUseException as StreamInUse } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { LocalModel } from './cdk-model.ts';

/** On-demand streams have no shard count; two local shards keep ordering per key and parallelism real. */
export const LOCAL_SHARDS = 2;

export async function provision(model: LocalModel, clients: { ddb: DynamoDBClient; kinesis: KinesisClient; s3: S3Client }): Promise<void> {
  for (const t of model.tables) {
    try {
      await clients.ddb.send(
        new CreateTableCommand({
          TableName: t.name,
          KeySchema: t.keySchema,
          AttributeDefinitions: t.attributeDefinitions,
          BillingMode: 'PAY_PER_REQUEST',
          GlobalSecondaryIndexes: t.globalSecondaryIndexes?.map((g) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection })),
        }),
      );
    } catch (err) {
      if (!(err instanceof ResourceInUseException)) throw err;
    }
  }
  for (const s of model.streams) {
    try {
      await clients.kinesis.send(new CreateStreamCommand({ StreamName: s.name, ShardCount: LOCAL_SHARDS }));
    } catch (err) {
      if (!(err instanceof StreamInUse)) throw err;
    }
    for (let i = 0; i < 50; i++) {
      const d = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: s.name }));
      if (d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  for (const b of model.buckets) {
    try {
      await clients.s3.send(new CreateBucketCommand({ Bucket: b.name }));
    } catch (err) {
      const name = (err as Error).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
    }
  }
}
