/**
 * An erasure that crashes mid-way is resumed by the next request and ends with the receipt
 * a run without a crash gives. Two people are seeded alike (the same events, the same merge,
 * rows in the same archive objects); one is erased on a quiet platform, the other while the
 * Profiles step's DynamoDB fails every DeleteItem after the first two (a fault proxy in front
 * of dynalite for erase-profiles only): that execution fails half-way through the profiles
 * table, the faults stop, the person is erased again — a new attempt resumes from the job's
 * recorded state — and both receipts list the same stores with the same counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators } from '../../local/emulators.ts';
import { startFaultProxy, type FaultProxy } from '../../local/fault-proxy.ts';
import { testPlatform } from '../helpers/platform.ts';
import { allProfiles } from '../helpers/platform.ts';
import { eraseThroughApi, firstEvents, mentions, mergeEvents, needlesOf, personNamed, sendBatch, snapshot } from './privacy-seed.ts';
import type { ErasureReceipt } from '../../functions/domain/privacy/ports.ts';

let platform: Awaited<ReturnType<typeof testPlatform>>;
let proxy: FaultProxy;
const fay = personNamed('fay');
const ted = personNamed('ted');

beforeAll(async () => {
  const probe = await startEmulators({ dataDir: `/tmp/sightline-privacy-probe-${process.pid}` });
  const ports = { dynamodb: Number(new URL(probe.dynamodb).port), kinesis: Number(new URL(probe.kinesis).port), s3: Number(new URL(probe.s3).port) };
  await probe.stop();
  proxy = await startFaultProxy(`http://127.0.0.1:${ports.dynamodb}`);
  platform = await testPlatform({ ports, waitOverrides: 0, functionEnvOverrides: { 'erase-profiles': { AWS_ENDPOINT_URL_DYNAMODB: proxy.url } } });
  const { writeKey } = await platform.createSource('privacy-faults');
  await sendBatch(platform, writeKey, [fay, ted].flatMap((x, i) => firstEvents(x, i)));
  await platform.waitForIdle(600_000);
  await sendBatch(platform, writeKey, [fay, ted].flatMap(mergeEvents));
  await platform.waitForIdle(600_000);
}, 1_200_000);
afterAll(async () => {
  await platform?.cleanup();
  await proxy?.stop();
});

describe('an erasure that crashes mid-way', () => {
  it('is resumed by the next request and ends with the receipt of a run that never crashed', { timeout: 900_000 }, async () => {
    // Prepare
    const mine = (await allProfiles(platform)).filter((p) => p.identities.userIds.includes(fay.userId) || p.identities.anonymousIds.includes(fay.anonymousId));
    const needles = needlesOf(fay, mine.map((p) => p.profileId), mine.flatMap((p) => p.identities.emailHashes));
    const quiet = await eraseThroughApi(platform, ted.userId);
    expect(quiet.status, quiet.error).toBe('SUCCEEDED');
    let deletes = 0;
    proxy.setRule((op) => (op === 'DeleteItem' && ++deletes > 2 ? 'server_error' : 'forward'));
    // Act
    const crashed = await eraseThroughApi(platform, fay.userId);
    proxy.setRule(() => 'forward');
    const resumed = await eraseThroughApi(platform, fay.userId);
    // Assess
    expect(crashed.status).toBe('FAILED');
    expect(deletes).toBeGreaterThan(2); // it failed inside the profiles step, after two deletes
    expect(resumed.status, resumed.error).toBe('SUCCEEDED');
    expect(resumed.executionArn).toMatch(/:erase-[0-9a-f]{40}-2$/);
    const strip = (r: unknown) => (r as ErasureReceipt).stores;
    expect(strip(resumed.output)).toEqual(strip(quiet.output));
    const profilesLine = strip(resumed.output).find((s) => s.store === 'profiles')!;
    expect(profilesLine.found).toBeGreaterThan(2);
    expect(profilesLine.removed).toBe(profilesLine.found);
    const after = await snapshot(platform);
    const plain = needles[3];
    const leaks = [...after.items, ...after.objects].filter(([k, t]) => mentions(k + t, needles).some((n) => n !== plain)).map(([k]) => k);
    expect(leaks).toEqual([]);
  });
});
