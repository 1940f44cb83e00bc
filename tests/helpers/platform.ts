/** Starts the real local platform (emulators on loopback, free ports) in a temporary data directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startPlatform, type Platform, type PlatformOptions } from '../../local/platform.ts';
import { storedScoresItemSchema, type Profile, type ScoresItem } from '../../schemas/profile.ts';
import { expandScores } from '../../functions/adapters/dynamo-profile-store.ts';
import type { FailedEvent } from '../../schemas/failed-event.ts';

export async function testPlatform(opts: Partial<PlatformOptions> = {}): Promise<Platform & { dataDir: string; cleanup(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sightline-it-'));
  const platform = await startPlatform({ dataDir, pollIdleMs: 50, retryBaseMs: 10, maxBatchingWindowSeconds: 5, ...opts });
  return {
    ...platform,
    dataDir,
    async cleanup() {
      await platform.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function allProfiles(p: Platform): Promise<Profile[]> {
  const table = p.resource('tag-profiles', 'PROFILES_TABLE_NAME');
  const out: Profile[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await p.clients.doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) if (item.sk === 'PROFILE') out.push(item as Profile);
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** Every scores item (schemas/profile.ts ScoresItem), by profile id. */
export async function allScores(p: Platform): Promise<Map<string, ScoresItem>> {
  const table = p.resource('tag-profiles', 'PROFILES_TABLE_NAME');
  const out = new Map<string, ScoresItem>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await p.clients.doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const { pk: _pk, sk, ...item } of page.Items ?? []) if (sk === 'SCORES') out.set(item.profileId as string, expandScores(storedScoresItemSchema.parse(item)));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

export async function failedEvents(p: Platform): Promise<FailedEvent[]> {
  const bucket = p.resource('clean-events', 'FAILED_EVENTS_BUCKET');
  const list = await p.clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'failed/' }));
  const out: FailedEvent[] = [];
  for (const o of list.Contents ?? []) {
    const obj = await p.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
    out.push(JSON.parse(await obj.Body!.transformToString()));
  }
  return out;
}

export async function destinationRecords(p: Platform): Promise<number> {
  const bucket = p.resource('clean-events', 'FAILED_EVENTS_BUCKET');
  const list = await p.clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'aws/lambda/' }));
  let n = 0;
  for (const o of list.Contents ?? []) {
    const obj = await p.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
    n += JSON.parse(await obj.Body!.transformToString()).KinesisBatchInfo.batchSize;
  }
  return n;
}

export const basicAuth = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
