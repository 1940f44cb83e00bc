/**
 * DEDUP_MODE=table: Clean remembers messageIds in the idempotency table with Powertools
 * idempotency (DynamoDB persistence layer, against dynalite), so a re-sent event is not put
 * on the clean stream a second time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { basicAuth, testPlatform } from '../helpers/platform.ts';

type P = Awaited<ReturnType<typeof testPlatform>>;
let platform: P;
let writeKey: string;

beforeAll(async () => {
  platform = await testPlatform({ functionEnvOverrides: { 'clean-events': { DEDUP_MODE: 'table' } } });
  ({ writeKey } = await platform.createSource('dedup'));
});
afterAll(async () => platform?.cleanup());

describe('table de-duplication in Clean', () => {
  it('records each messageId once and passes a re-sent event on only once', async () => {
    const send = (body: unknown) => fetch(`${platform.apiUrl}/v1/track`, { method: 'POST', headers: { authorization: basicAuth(writeKey), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const event = { userId: 'dee', event: 'Order Completed', messageId: 'same-message', properties: { revenue: 10 } };
    expect((await send(event)).status).toBe(200);
    await platform.waitForIdle();
    expect((await send(event)).status).toBe(200);
    await platform.waitForIdle();
    const table = platform.resource('clean-events', 'IDEMPOTENCY_TABLE_NAME');
    const items = (await platform.clients.doc.send(new ScanCommand({ TableName: table }))).Items ?? [];
    expect(items).toHaveLength(1);
    expect(items[0].status).toBe('COMPLETED');
    // Two invocations of clean, but only the first put the event on the clean stream.
    expect(platform.pollers.find((p) => p.stats && p.streamArn.includes('Raw'))!.stats.recordsDelivered).toBe(2);
    const tag = platform.pollers.find((p) => p.streamArn.includes('Clean'))!;
    expect(tag.stats.recordsDelivered).toBe(1);
  });
});
