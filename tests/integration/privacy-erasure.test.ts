/**
 * Proof of erasure on the local platform (emulators on loopback, the real handlers, the
 * Erasure state machine as CDK synthesizes it): a person seeded into every store — events
 * through the API with an anonymous → known merge, scores, a campaign send, a refused event,
 * archived interactions mixed with other people's rows — is exported, then erased; then
 * every table is scanned and every bucket object listed and read.
 *
 * How the suppression tombstone is treated: the suppression list keys entries by the plain
 * sha256 of the normalised address (campaigns-table.ts), because the send path must
 * recognise the address again without holding it; a keyed hash would only move the secret
 * (whoever holds the key can test an address, as whoever holds the list can now). So the
 * test allows exactly one item to mention anything of the person: the tombstone
 * `SUP#email#<sha256(email)>`, which must mention only that hash (no id, no address, no
 * salted hash) — and nothing else anywhere may mention that hash.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { allProfiles, testPlatform } from '../helpers/platform.ts';
import { eraseThroughApi, firstEvents, mentions, mergeEvents, needlesOf, personNamed, sendBatch, snapshot, type Snapshot } from './privacy-seed.ts';
import type { PersonExport } from '../../functions/domain/privacy/export-person.ts';
import type { ErasureReceipt } from '../../functions/domain/privacy/ports.ts';

let platform: Awaited<ReturnType<typeof testPlatform>>;
const erin = personNamed('erin');
const others = [personNamed('olga'), personNamed('omar')];
const campaign = JSON.parse(readFileSync(new URL('../fixtures/campaigns/spring-sale.json', import.meta.url), 'utf8'));
let needles: string[];
let before: Snapshot;
let summaryBefore: unknown;

const exportOf = async (id: string) => {
  const res = await fetch(`${platform.apiUrl}/v1/privacy/${encodeURIComponent(id)}/export`);
  expect(res.status).toBe(200);
  return (await res.json()) as PersonExport;
};
const countOf = (doc: PersonExport, store: string) => doc.stores.find((s) => s.store === store)!.count;
const sendRecords = () => platform.services.sendRecords(platform.resource('send-campaign-page', 'CAMPAIGNS_TABLE_NAME'));

beforeAll(async () => {
  platform = await testPlatform({ waitOverrides: 0 });
  const { writeKey } = await platform.createSource('privacy');
  // Prepare: one batch for everyone, so the archive's objects mix their rows
  await sendBatch(platform, writeKey, [erin, ...others].flatMap((x, i) => firstEvents(x, i)));
  await platform.waitForIdle(600_000);
  await sendBatch(platform, writeKey, [erin, ...others].flatMap(mergeEvents));
  await platform.waitForIdle(600_000);
  // Scores as the score consumer writes them (no model is trained on a fresh platform)
  const table = platform.resource('tag-profiles', 'PROFILES_TABLE_NAME');
  const store = platform.services.profileStore(table);
  for (const p of (await allProfiles(platform)).filter((p) => !p.mergedInto)) {
    await store.saveScores({ schemaVersion: 1, profileId: p.profileId, profileVersion: p.version, updatedAt: '2026-11-14T00:00:00Z', scores: { churn: { value: 0.4, output: 'probability', base: -0.2, contributions: [{ feature: 'recency', value: 3, contribution: 0.1 }], explanation: ['recency 3 days: +0.10'], model: 'churn', version: 'v1', at: '2026-11-14T00:00:00Z' } } });
  }
  const sm = platform.stepFunctions.find('Campaign');
  const run = await platform.stepFunctions.start(sm.arn, JSON.stringify({ ...campaign, holdoutPercent: 0 }), campaign.id).done;
  expect(run.status, run.cause).toBe('SUCCEEDED');
  await platform.waitForIdle(600_000);
  const mine = (await allProfiles(platform)).filter((p) => p.identities.userIds.includes(erin.userId) || p.identities.anonymousIds.includes(erin.anonymousId));
  expect(mine.length).toBe(2); // the visitor's profile, merged into the customer's (or the other way)
  needles = needlesOf(erin, mine.map((p) => p.profileId), [...new Set(mine.flatMap((p) => p.identities.emailHashes))]);
}, 1_200_000);
afterAll(async () => platform?.cleanup());

describe('right of access and erasure on the local platform', () => {
  let receipt: ErasureReceipt;

  it('exports everything held about the person from every store, with a count per store and their events as CSV', async () => {
    // Act
    const doc = await exportOf(erin.userId);
    // Assess
    expect(doc.profileFound).toBe(true);
    expect(doc.subject.profileIds).toHaveLength(2);
    expect(doc.stores.map((s) => s.store).sort()).toEqual(['archive', 'campaigns', 'failed-events', 'idempotency', 'kinesis', 'models', 'personalize', 'profiles', 'sources', 'suppression']);
    expect(countOf(doc, 'profiles')).toBeGreaterThanOrEqual(5); // 2 profiles, scores, the links that are not derived (anon, email)
    expect(countOf(doc, 'campaigns')).toBeGreaterThanOrEqual(1); // the send record (and its cap counters)
    expect(countOf(doc, 'failed-events')).toBe(1);
    expect(countOf(doc, 'archive')).toBe(3); // a view and two purchases, across the merge
    expect(doc.eventsCsv.split('\n').filter(Boolean)).toHaveLength(4);
    expect(doc.eventsCsv).toContain('sku-shared');
    expect(doc.stores.find((s) => s.store === 'idempotency')!.searched).toBe(false);
    expect(JSON.stringify(doc.consent)).toContain('email.marketing');
  });

  it('erases them from every store: a receipt per store, and no table item or bucket object mentions them but the tombstone', { timeout: 600_000 }, async () => {
    // Prepare
    before = await snapshot(platform);
    summaryBefore = await sendRecords().summarize(campaign.id);
    // Act
    const e = await eraseThroughApi(platform, erin.userId);
    // Assess
    expect(e.status, e.error).toBe('SUCCEEDED');
    receipt = e.output as ErasureReceipt;
    const line = (s: string) => receipt.stores.find((x) => x.store === s)!;
    for (const s of ['profiles', 'campaigns', 'failed-events', 'archive']) {
      expect(line(s).searched, s).toBe(true);
      expect(line(s).found, s).toBeGreaterThan(0);
      expect(line(s).removed, s).toBe(line(s).found);
    }
    expect(line('suppression').kept).toBe(1);
    expect(line('models').notes.join(' ')).toMatch(/remain until the next scheduled training/);
    expect(line('kinesis').notes.join(' ')).toMatch(/168 h/);
    const after = await snapshot(platform);
    const plain = createHash('sha256').update(erin.email).digest('hex');
    const leaks: string[] = [];
    for (const [key, text] of [...after.items, ...after.objects]) {
      const hit = mentions(key + text, needles);
      if (hit.length === 0) continue;
      const tombstone = key.includes(`|SUP#email#${plain}|SUP`) && hit.length === 1 && hit[0] === plain && JSON.parse(text).source === 'erasure';
      if (!tombstone) leaks.push(`${key}: ${hit.join(', ')}`);
    }
    expect(leaks).toEqual([]);
    expect([...after.items.keys()].filter((k) => k.includes(`SUP#email#${plain}`))).toHaveLength(1);
  });

  it('leaves other people\'s data byte for byte, and campaign totals as they were', { timeout: 300_000 }, async () => {
    const after = await snapshot(platform);
    // Every item and object that did not mention the person is still there, unchanged
    for (const [key, text] of [...before.items, ...before.objects]) {
      if (mentions(key + text, needles).length > 0) continue;
      expect(after.items.get(key) ?? after.objects.get(key), key).toBe(text);
    }
    // What is new: the job's receipt, the anonymised send record, the tombstone
    const added = [...after.items.keys()].filter((k) => !before.items.has(k) || before.items.get(k) !== after.items.get(k));
    for (const k of added) expect(k, k).toMatch(/\|ERASURE#[0-9a-f]{64}$|\|P#erased-[0-9a-f]{32}$|\|SUP#email#[0-9a-f]{64}\|SUP$/);
    // Archive objects that mixed their rows with others' keep every other line, in order
    for (const [key, text] of before.objects) {
      if (!key.includes('/interactions/') || mentions(text, needles).length === 0) continue;
      const othersLines = text.split('\n').filter((l) => l && mentions(l, needles).length === 0);
      const now = after.objects.get(key);
      if (othersLines.length === 1) expect(now, key).toBeUndefined(); // the header alone: deleted
      else expect(now!.split('\n').filter(Boolean), key).toEqual(othersLines);
    }
    expect(await sendRecords().summarize(campaign.id)).toEqual(summaryBefore);
  });

  it('a second request joins the first: the same receipt, nothing started again', { timeout: 300_000 }, async () => {
    // Act
    const again = await eraseThroughApi(platform, erin.userId);
    const doc = await exportOf(erin.userId);
    // Assess
    expect(again.status).toBe('SUCCEEDED');
    expect(again.output).toEqual(receipt);
    expect(doc.profileFound).toBe(false);
    // The suppression tombstone is a bare hash: with the profile gone nothing leads back to it.
    for (const s of doc.stores) expect(s.count, s.store).toBe(0);
  });
});
