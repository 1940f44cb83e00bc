/**
 * dynalite and kinesalite in their own worker threads (local/emulators.ts `threads`, the
 * platform's default): reached with the real SDK clients as before, their data kept on disk
 * across a stop and a start, and a port already taken refused at start, not left hanging.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { startEmulators } from '../../local/emulators.ts';
import { localClients } from '../../local/platform.ts';

const dir = mkdtempSync(join(tmpdir(), 'sightline-emulator-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('emulators in their own threads', () => {
  it('answer the SDK, and keep their data across a stop and a start', async () => {
    const first = await startEmulators({ dataDir: dir, threads: true });
    const c = localClients(first);
    await c.ddb.send(new CreateTableCommand({ TableName: 'items', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }));
    await c.ddb.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'a' }, v: { N: '1' } } }));
    await c.kinesis.send(new CreateStreamCommand({ StreamName: 'events', ShardCount: 1 }));
    while ((await c.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'events' }))).StreamDescriptionSummary?.StreamStatus !== 'ACTIVE') await new Promise((r) => setTimeout(r, 50));
    const put = await c.kinesis.send(new PutRecordsCommand({ StreamName: 'events', Records: [{ PartitionKey: 'k', Data: Buffer.from('hello') }] }));
    expect(put.FailedRecordCount).toBe(0);
    await first.stop();

    const again = await startEmulators({ dataDir: dir, threads: true });
    const d = localClients(again);
    expect((await d.ddb.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'a' } } }))).Item?.v).toEqual({ N: '1' });
    const shard = (await d.kinesis.send(new ListShardsCommand({ StreamName: 'events' }))).Shards![0].ShardId!;
    const it = (await d.kinesis.send(new GetShardIteratorCommand({ StreamName: 'events', ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator!;
    const records = (await d.kinesis.send(new GetRecordsCommand({ ShardIterator: it }))).Records ?? [];
    expect(records.map((r) => Buffer.from(r.Data!).toString())).toEqual(['hello']);
    await again.stop();
  });

  it('refuses a port that is already taken', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as { port: number }).port;
    try {
      await expect(startEmulators({ dataDir: join(dir, 'busy'), threads: true, ports: { dynamodb: port } })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await new Promise<void>((r) => taken.close(() => r()));
    }
  });
});
