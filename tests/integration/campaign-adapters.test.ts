/**
 * The campaign adapters for real: the DynamoDB ones against dynalite (its own in-memory
 * instance on loopback, one campaigns table), the SES sender against aws-ses-v2-local
 * (local/ses-emulator.ts). The races are real concurrent requests: the conditions in the
 * store, not the test, decide who wins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoSendRecordStore } from '../../functions/adapters/dynamo-send-record-store.ts';
import { DynamoFrequencyCapStore } from '../../functions/adapters/dynamo-frequency-cap-store.ts';
import { DynamoSuppressionList } from '../../functions/adapters/dynamo-suppression-list.ts';
import { CAMPAIGNS_TABLE_KEYS } from '../../functions/adapters/campaigns-table.ts';
import { getSendQuota, sesEmailSender } from '../../functions/adapters/ses-email-sender.ts';
import { buildUnsubscribeHeaders, signUnsubscribeToken } from '../../functions/domain/campaigns/unsubscribe.ts';
import { startSesEmulator, type SesEmulator } from '../../local/ses-emulator.ts';
import type { CapWindow } from '../../functions/domain/campaigns/ports.ts';

const require = createRequire(import.meta.url);
const TABLE = 'campaigns';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let dynalite: Server;
let doc: DynamoDBDocumentClient;
let ses: SesEmulator;
let sesClient: SESv2Client;

beforeAll(async () => {
  // No path: dynalite keeps the table in memory, gone when the server closes.
  dynalite = require('dynalite')({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
  await new Promise<void>((r) => dynalite.listen(0, '127.0.0.1', () => r()));
  const endpoint = `http://127.0.0.1:${(dynalite.address() as AddressInfo).port}`;
  const ddb = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 3 });
  doc = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
  await ddb.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [
        { AttributeName: CAMPAIGNS_TABLE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: CAMPAIGNS_TABLE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  ses = await startSesEmulator({ port: 0 });
  sesClient = new SESv2Client({ endpoint: ses.url, region: 'us-east-1', credentials, maxAttempts: 1 });
});

afterAll(async () => {
  await ses?.stop();
  if (dynalite) await new Promise<void>((r) => dynalite.close(() => r()));
});

const at = '2026-03-02T09:00:00.000Z';

describe('DynamoSendRecordStore on dynalite', () => {
  it('lets exactly one of several concurrent claimers of a (campaign, person) win', async () => {
    // Prepare: two stores (two Lambdas), five claimers per person, ten people.
    const stores = [new DynamoSendRecordStore(doc, TABLE), new DynamoSendRecordStore(doc, TABLE)];
    const people = Array.from({ length: 10 }, (_, i) => `race-${i}`);
    // Act
    const results = await Promise.all(
      people.flatMap((personId) => Array.from({ length: 5 }, (_, j) => stores[j % 2].claim({ campaignId: 'race', personId }, at, `arm-${j}`).then((r) => ({ personId, r })))),
    );
    // Assess
    for (const personId of people) {
      const mine = results.filter((x) => x.personId === personId).map((x) => x.r);
      const winners = mine.filter((r) => r.claimed);
      expect(winners).toHaveLength(1);
      const winnerArm = winners[0].claimed ? winners[0].record.arm : undefined;
      // Every loser is told the winner's record, not a guess.
      for (const r of mine.filter((r) => !r.claimed)) expect(r.claimed === false && r.existing).toMatchObject({ status: 'CLAIMED', arm: winnerArm });
    }
  });

  it('moves CLAIMED to one outcome only, records feedback once per event, and pages a campaign', async () => {
    // Prepare
    const store = new DynamoSendRecordStore(doc, TABLE);
    for (const p of ['a', 'b', 'c']) await store.claim({ campaignId: 'life', personId: p }, at, 'A');
    // Act
    await store.complete({ campaignId: 'life', personId: 'a' }, { status: 'SENT', messageId: 'm-a', sentAt: at }, at);
    await store.complete({ campaignId: 'life', personId: 'a' }, { status: 'SENT', messageId: 'm-a', sentAt: at }, at); // a lost answer, retried
    await store.complete({ campaignId: 'life', personId: 'b' }, { status: 'SKIPPED', reason: 'frequency_cap' }, at);
    const second = await store.complete({ campaignId: 'life', personId: 'a' }, { status: 'FAILED', error: 'late' }, at).catch((e: Error) => e);
    const events = [
      await store.recordEvent({ campaignId: 'life', personId: 'a' }, { type: 'delivery', at, eventId: 'e1' }),
      await store.recordEvent({ campaignId: 'life', personId: 'a' }, { type: 'click', at, eventId: 'e2', link: 'https://shop.example/x' }),
      await store.recordEvent({ campaignId: 'life', personId: 'a' }, { type: 'click', at, eventId: 'e2', link: 'https://shop.example/x' }),
      await store.recordEvent({ campaignId: 'life', personId: 'a' }, { type: 'click', at: '2026-03-02T10:00:00.000Z', eventId: 'e3' }),
      await store.recordEvent({ campaignId: 'life', personId: 'ghost' }, { type: 'bounce', at, eventId: 'e4', bounceType: 'Permanent' }),
    ];
    // Assess
    expect(second).toMatchObject({ name: 'SendRecordStateError' });
    expect(events).toEqual(['recorded', 'recorded', 'duplicate', 'recorded', 'no_record']);
    expect(await store.get({ campaignId: 'life', personId: 'a' })).toMatchObject({
      status: 'SENT',
      messageId: 'm-a',
      deliveredAt: at,
      firstClickAt: at,
      lastClickAt: '2026-03-02T10:00:00.000Z',
      clicks: 2,
    });
    const page1 = await store.listRecords('life', { limit: 2, consistent: true });
    const page2 = await store.listRecords('life', { limit: 2, cursor: page1.cursor, consistent: true });
    expect([...page1.records, ...page2.records].map((r) => r.personId)).toEqual(['a', 'b', 'c']);
    expect(await store.summarize('life')).toMatchObject({ total: 3, status: { SENT: 1, SKIPPED: 1, CLAIMED: 1, FAILED: 0 }, skipped: { frequency_cap: 1 }, delivered: 1, clicked: 1 });
    expect(await store.get({ campaignId: 'life', personId: 'ghost' })).toBeUndefined();
  });
});

describe('DynamoFrequencyCapStore on dynalite', () => {
  const count = async (personId: string, sk: string) =>
    (await doc.send(new GetCommand({ TableName: TABLE, Key: { pk: `CAP#${personId}`, sk }, ConsistentRead: true }))).Item?.n as number | undefined;

  it('lets exactly 3 of 20 concurrent reservations through a cap of 3, and release gives one back', async () => {
    // Prepare: 20 "campaigns" across two store instances hitting one person at once.
    const stores = [new DynamoFrequencyCapStore(doc, TABLE), new DynamoFrequencyCapStore(doc, TABLE)];
    const day: CapWindow = { window: 'day', key: '2026-03-02', cap: 3 };
    // Act
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 2].reserve('capped', [day])));
    // Assess
    expect(results.filter(Boolean)).toHaveLength(3);
    expect(await count('capped', 'day#2026-03-02')).toBe(3);
    // Act: one send failed terminally.
    await stores[0].release('capped', [day]);
    const again = await Promise.all(Array.from({ length: 5 }, () => stores[1].reserve('capped', [day])));
    // Assess
    expect(again.filter(Boolean)).toHaveLength(1);
    expect(await count('capped', 'day#2026-03-02')).toBe(3);
  });

  it('reserves day and week together or not at all, under concurrency', async () => {
    // Prepare: the week already holds 4 of 5; the day allows 3.
    const store = new DynamoFrequencyCapStore(doc, TABLE);
    const day: CapWindow = { window: 'day', key: '2026-03-03', cap: 3 };
    const week: CapWindow = { window: 'week', key: '2026-W10', cap: 5 };
    for (let i = 0; i < 4; i++) expect(await store.reserve('both', [week])).toBe(true);
    // Act
    const results = await Promise.all(Array.from({ length: 10 }, () => store.reserve('both', [day, week])));
    // Assess: one fits the week; every refused reservation gave its day back.
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await count('both', 'week#2026-W10')).toBe(5);
    expect(await count('both', 'day#2026-03-03')).toBe(1);
    const item = (await doc.send(new GetCommand({ TableName: TABLE, Key: { pk: 'CAP#both', sk: 'day#2026-03-03' } }))).Item!;
    expect(item.expiresAt).toBe(Date.UTC(2026, 2, 6) / 1000);
  });

  it('never takes a counter below zero', async () => {
    const store = new DynamoFrequencyCapStore(doc, TABLE);
    const day: CapWindow = { window: 'day', key: '2026-03-04', cap: 1 };
    await store.release('nobody', [day]);
    expect(await count('nobody', 'day#2026-03-04')).toBeUndefined();
    expect(await store.reserve('nobody', [day])).toBe(true);
    await store.release('nobody', [day]);
    await store.release('nobody', [day]);
    expect(await count('nobody', 'day#2026-03-04')).toBe(0);
  });
});

describe('DynamoSuppressionList on dynalite', () => {
  it('finds suppressed addresses in one batch and stores no address in the table', async () => {
    // Prepare
    const list = new DynamoSuppressionList(doc, TABLE);
    await list.add({ channel: 'email', address: 'Ann@Example.com', reason: 'unsubscribe', at, source: 'unsubscribe-link' });
    await list.add({ channel: 'email', address: 'bob@example.com', reason: 'bounce', at, source: 'ses-feedback' });
    await list.add({ channel: 'email', address: 'ann@example.com', reason: 'complaint', at }); // the first reason stands
    await list.add({ channel: 'sms', address: '+447700900123', reason: 'unsubscribe', at });
    const addresses = ['ann@example.com', 'bob@example.com', ...Array.from({ length: 230 }, (_, i) => `p${i}@example.com`)];
    // Act
    const found = await list.findMany('email', addresses);
    // Assess
    expect([...found.entries()].sort()).toEqual([
      ['ann@example.com', { channel: 'email', address: 'ann@example.com', reason: 'unsubscribe', at }],
      ['bob@example.com', { channel: 'email', address: 'bob@example.com', reason: 'bounce', at }],
    ]);
    expect((await list.findMany('sms', ['+447700900123'])).get('+447700900123')?.reason).toBe('unsubscribe');
    const items = (await doc.send(new ScanCommand({ TableName: TABLE }))).Items ?? [];
    const dump = JSON.stringify(items.filter((i) => String(i.pk).startsWith('SUP#'))).toLowerCase();
    expect(dump).not.toMatch(/ann@|bob@|447700900123/);
  });
});

describe('SES sender on aws-ses-v2-local', () => {
  it('sends a mail whose stored headers carry RFC 8058 one-click unsubscribe', async () => {
    // Prepare
    await ses.clear();
    const token = signUnsubscribeToken('a-test-secret-of-32-characters!!', { campaignId: 'spring-sale', personId: 'p-1', channel: 'email' });
    const headers = buildUnsubscribeHeaders({ baseUrl: 'https://shop.example/v1/unsubscribe', token, mailto: 'unsubscribe@shop.example' });
    const send = sesEmailSender(sesClient);
    // Act
    const result = await send({
      channel: 'email',
      campaignId: 'spring-sale',
      personId: 'p-1',
      variantId: 'A',
      to: 'ann@example.com',
      from: 'news@shop.example',
      fromName: 'Shop',
      subject: 'Spring is here',
      html: '<p>Hi Ann</p>',
      text: 'Hi Ann',
      headers,
    });
    // Assess
    expect(result.ok).toBe(true);
    const mails = await ses.mails();
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ messageId: result.ok ? result.messageId : '', from: '"Shop" <news@shop.example>', destination: { to: ['ann@example.com'] }, subject: 'Spring is here' });
    expect(Object.fromEntries(mails[0].headers!.map((h) => [h.name, h.value]))).toEqual(headers);
    expect(headers['List-Unsubscribe']).toBe(`<https://shop.example/v1/unsubscribe?token=${token}>, <mailto:unsubscribe@shop.example?subject=unsubscribe>`);
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    await ses.clear();
    expect(await ses.mails()).toEqual([]);
  });

  it('answers GetAccount with the configured send rate', async () => {
    expect(await getSendQuota(sesClient)).toMatchObject({ maxSendRate: 200, sendingEnabled: true });
  });
});
