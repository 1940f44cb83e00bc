/** The S3 model registry against s3rver on loopback, with the real SDK client. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { startEmulators, type Emulators } from '../../local/emulators.ts';
import { localClients } from '../../local/platform.ts';
import { S3ModelRegistry } from '../../functions/adapters/s3-model-registry.ts';
import { publishModel, rollbackModel } from '../../functions/domain/shared/model-registry.ts';

let emulators: Emulators;
let dir: string;
let registry: S3ModelRegistry;
let s3: ReturnType<typeof localClients>['s3'];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sightline-registry-'));
  emulators = await startEmulators({ dataDir: dir });
  s3 = localClients(emulators).s3;
  await s3.send(new CreateBucketCommand({ Bucket: 'models' }));
  registry = new S3ModelRegistry(s3, 'models');
});
afterAll(async () => {
  await emulators.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('S3ModelRegistry on s3rver', () => {
  it('round-trips a gzip artifact, lists versions and moves the pointer', async () => {
    // Prepare
    const body = JSON.stringify({ weights: Array.from({ length: 2000 }, (_, i) => i / 7) });
    const sha = createHash('sha256').update(body).digest('hex');
    // Act
    const a = await publishModel(registry, { name: 'propensity', body, sha256: sha, at: new Date('2026-01-01T00:00:00Z'), summary: { auc: 0.8 } });
    const b = await publishModel(registry, { name: 'propensity', body: '{"v":2}', sha256: 'ff', at: new Date('2026-01-02T00:00:00Z') });
    // Assess
    expect(await registry.load('propensity', a.info.version)).toBe(body);
    const stored = await s3.send(new GetObjectCommand({ Bucket: 'models', Key: `models/propensity/versions/${a.info.version}.json.gz` }));
    expect((await stored.Body!.transformToByteArray()).length).toBeLessThan(body.length / 2);
    expect((await registry.list('propensity')).map((v) => [v.version, v.summary])).toEqual([
      [a.info.version, { auc: 0.8 }],
      [b.info.version, undefined],
    ]);
    expect(await registry.pointer('propensity')).toMatchObject({ version: b.info.version, previous: a.info.version });
    expect((await rollbackModel(registry, 'propensity', new Date())).version).toBe(a.info.version);
    expect(await registry.pointer('nothing')).toBeUndefined();
    await expect(registry.load('propensity', 'missing')).rejects.toThrow(/no version missing/);
  });
});
