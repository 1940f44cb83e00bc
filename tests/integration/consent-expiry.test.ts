/**
 * The local expiry sweep (local/expiry-sweep.ts) on the real emulators: the ages come from
 * the synthesized CDK app (failed events 30 days, interactions 730, the TTL tables), and a
 * sweep as of a later instant deletes what AWS would have expired by then, and nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startEmulators, type Emulators } from '../../local/emulators.ts';
import { localClients } from '../../local/platform.ts';
import { loadLocalModel } from '../../local/cdk-model.ts';
import { expiryRules, sweepExpired, type ExpiryRules } from '../../local/expiry-sweep.ts';

let emulators: Emulators;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sightline-expiry-'));
  emulators = await startEmulators({ dataDir: dir });
});
afterAll(async () => {
  await emulators?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the local expiry sweep', () => {
  it('takes the ages from the CDK app: failed events 30 days, interactions 730, and every TTL table', () => {
    // Act
    const rules = expiryRules(loadLocalModel());
    // Assess
    const days = Object.fromEntries(rules.buckets.map((b) => [b.name.replace(/[^a-z]/gi, '').toLowerCase(), b.days]));
    expect(Object.entries(days).find(([n]) => n.includes('failedevents'))?.[1]).toBe(30);
    expect(Object.entries(days).find(([n]) => n.includes('interactions'))?.[1]).toBe(730);
    expect(rules.tables.length).toBeGreaterThan(0);
  });

  it('deletes objects older than their bucket\'s age and items past their TTL, and keeps the rest', async () => {
    // Prepare: objects written now; the sweep runs as of 31 days later.
    const c = localClients(emulators);
    await c.s3.send(new CreateBucketCommand({ Bucket: 'failed' }));
    await c.s3.send(new CreateBucketCommand({ Bucket: 'archive' }));
    await c.s3.send(new PutObjectCommand({ Bucket: 'failed', Key: 'failed/dt=2026-11-01/reason=x/m1.json', Body: '{}' }));
    await c.s3.send(new PutObjectCommand({ Bucket: 'archive', Key: 'interactions/dt=2026-11-01/a.csv', Body: 'USER_ID' }));
    await c.ddb.send(new CreateTableCommand({ TableName: 'idem', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    const later = new Date(Date.now() + 31 * 86_400_000);
    const seconds = Math.floor(later.getTime() / 1000);
    await c.doc.send(new PutCommand({ TableName: 'idem', Item: { id: 'expired', expiration: seconds - 60 } }));
    await c.doc.send(new PutCommand({ TableName: 'idem', Item: { id: 'alive', expiration: seconds + 3600 } }));
    const rules: ExpiryRules = { buckets: [{ name: 'failed', days: 30 }, { name: 'archive', days: 730 }], tables: [{ name: 'idem', ttlAttribute: 'expiration', keys: ['id'] }] };
    // Act
    const early = await sweepExpired(c, rules, new Date());
    const report = await sweepExpired(c, rules, later);
    // Assess
    expect(early).toEqual({ objects: { failed: 0, archive: 0 }, items: { idem: 0 } });
    expect(report).toEqual({ objects: { failed: 1, archive: 0 }, items: { idem: 1 } });
    expect((await c.s3.send(new ListObjectsV2Command({ Bucket: 'failed' }))).Contents ?? []).toEqual([]);
    expect((await c.s3.send(new ListObjectsV2Command({ Bucket: 'archive' }))).Contents).toHaveLength(1);
    expect((await c.doc.send(new ScanCommand({ TableName: 'idem' }))).Items?.map((i) => i.id)).toEqual(['alive']);
  });
});
