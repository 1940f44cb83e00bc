/**
 * dynalite 4.0.0 closed the LevelDB iterator behind a Scan or Query only if the iterator had a
 * `return()` method, which abstract-level 3 iterators do not have (they have `close()`): every
 * Scan and Query left a native iterator, and the snapshot it holds, open for the life of the
 * process. The local platform's memory grew without bound under load (bench/results/soak.md)
 * and LevelDB kept every overwritten value alive behind the oldest snapshot.
 * patches/dynalite+4.0.0.patch closes it; this test counts the iterators classic-level opens
 * and closes under the real emulator, reached with the real SDK client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startEmulators, type Emulators } from '../../local/emulators.ts';

const require = createRequire(import.meta.url);
const { ClassicLevel } = require('classic-level');

let open = 0;
let opened = 0;
const originalIterator = ClassicLevel.prototype._iterator;
let emulators: Emulators;
let dir: string;
let doc: DynamoDBDocumentClient;

beforeAll(async () => {
  ClassicLevel.prototype._iterator = function (this: unknown, ...args: unknown[]) {
    const it = originalIterator.apply(this, args);
    opened++;
    open++;
    const close = it._close.bind(it);
    it._close = async () => {
      open--;
      return close();
    };
    return it;
  };
  dir = mkdtempSync(join(tmpdir(), 'sightline-dynalite-'));
  emulators = await startEmulators({ dataDir: dir });
  const raw = new DynamoDBClient({ endpoint: emulators.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  doc = DynamoDBDocumentClient.from(raw);
  await raw.send(
    new CreateTableCommand({
      TableName: 'iterators',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'g', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [{ IndexName: 'by-g', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
    }),
  );
  for (let i = 0; i < 30; i++) await doc.send(new PutCommand({ TableName: 'iterators', Item: { pk: `P#${i % 3}`, sk: `S#${i}`, g: `G#${i % 2}`, pad: 'x'.repeat(500) } }));
});

afterAll(async () => {
  ClassicLevel.prototype._iterator = originalIterator;
  await emulators?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('dynalite closes the iterators of its Scans and Queries', () => {
  it('leaves no LevelDB iterator open after paged scans, limited queries and index queries', async () => {
    const before = opened;
    for (let i = 0; i < 10; i++) {
      await doc.send(new ScanCommand({ TableName: 'iterators', Limit: 4 }));
      await doc.send(new QueryCommand({ TableName: 'iterators', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'P#1' }, Limit: 2 }));
      // A KEYS_ONLY index queried for every attribute: dynalite reads the index, then the items.
      await doc.send(new QueryCommand({ TableName: 'iterators', IndexName: 'by-g', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': 'G#0' }, Limit: 3 }));
    }
    let start: Record<string, unknown> | undefined;
    let seen = 0;
    do {
      const page = await doc.send(new ScanCommand({ TableName: 'iterators', Limit: 7, ExclusiveStartKey: start }));
      seen += page.Items?.length ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    expect(seen).toBe(30);
    expect(opened - before).toBeGreaterThanOrEqual(35);
    // A closed stream closes its iterator asynchronously: wait (bounded) for the last closes.
    for (let i = 0; i < 50 && open > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(open).toBe(0);
  });
});
