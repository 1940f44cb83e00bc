/**
 * The emulator alone, no Sightline code: dynalite (as the local platform starts it, over
 * LevelDB in a temporary directory) under concurrent read-then-conditional-put clients on a
 * few hundred hot keys (the clients' generator reaches about 280 of --keys=1000), with a paged
 * Scan every 15 s. Prints puts/s, conflicts, reads that came
 * back older than a put already accepted (`regressions`), and the process's memory every 15 s;
 * at the end the sum of accepted versions must equal the number of successful puts.
 *
 *   npx tsx bench/emulator-dynalite.ts --seconds=300 --keys=1000 [--workers=50] [--scan=0] [--memory=1]
 *
 * Used to find dynalite's leaked iterators (README, Troubleshooting; bench/results/soak.md).
 */
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
const require = createRequire(import.meta.url);
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const keys = Number(args.keys ?? 1000), workers = Number(args.workers ?? 50), seconds = Number(args.seconds ?? 600), pad = Number(args.pad ?? 3000);
const memory = args.memory === '1';
const dir = mkdtempSync(join(tmpdir(), 'dynrepro-'));
const server = require('dynalite')({ ...(memory ? {} : { path: dir }), createTableMs: 0 });
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
console.log('dynalite', memory ? 'memory' : dir, port);
const raw = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
const doc = DynamoDBDocumentClient.from(raw);
await raw.send(new CreateTableCommand({ TableName: 'tbl', BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
  GlobalSecondaryIndexes: [{ IndexName: 'gsi1', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }] }));
const accepted = new Map<string, number>();
let puts = 0, conflicts = 0, regressions = 0, errors = 0;
const end = Date.now() + seconds * 1000;
const t0 = Date.now();
async function worker(w: number) {
  let seed = w * 7919 + 1;
  while (Date.now() < end) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const pk = `P#k-${seed % keys}`;
    const last = accepted.get(pk) ?? 0;
    try {
      const got = await doc.send(new GetCommand({ TableName: 'tbl', Key: { pk, sk: 'PROFILE' }, ConsistentRead: true }));
      const v = (got.Item?.version as number | undefined) ?? 0;
      if (v < last) { regressions++; console.log(`[${((Date.now() - t0) / 1000).toFixed(0)}s] REGRESSION read ${pk} v${v} < accepted v${last}`); }
      const item = { pk, sk: 'PROFILE', version: v + 1, g: `G#${(v + 1) % 7}`, data: 'x'.repeat(pad + ((v * 37) % 500)), list: Array.from({ length: Math.min(v, 50) }, (_, i) => `e-${v}-${i}`) };
      try {
        await doc.send(new PutCommand({ TableName: 'tbl', Item: item, ConditionExpression: v === 0 ? 'attribute_not_exists(pk)' : 'version = :v', ExpressionAttributeValues: v === 0 ? undefined : { ':v': v } }));
        puts++;
        if (v + 1 > (accepted.get(pk) ?? 0)) accepted.set(pk, v + 1);
        else console.log(`ACCEPTED ${pk} v${v + 1} but accepted already v${accepted.get(pk)}`);
      } catch (e: any) { if (e.name === 'ConditionalCheckFailedException') conflicts++; else { errors++; if (errors < 5) console.log(e.name, e.message); } }
    } catch (e: any) { errors++; if (errors < 5) console.log(e.name, e.message); }
  }
}
const timer = setInterval(async () => {
  let start: any; let seen = 0;
  if (args.scan !== '0') do {
    const out = await doc.send(new ScanCommand({ TableName: 'tbl', ExclusiveStartKey: start, ConsistentRead: true }));
    seen += out.Items?.length ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  console.log(`[${((Date.now() - t0) / 1000).toFixed(0)}s] puts ${puts} (${(puts / ((Date.now() - t0) / 1000)).toFixed(0)}/s) conflicts ${conflicts} errors ${errors} regressions ${regressions} scan ${seen} items, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} ext ${(process.memoryUsage().external / 2 ** 20).toFixed(0)} MiB`);
}, 15000);
await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
clearInterval(timer);
const total = [...accepted.values()].reduce((a, b) => a + b, 0);
console.log(`done: puts ${puts}, sum of accepted versions ${total}, regressions ${regressions}, errors ${errors}`);
server.close(); process.exit(0);
