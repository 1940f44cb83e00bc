import { describe, expect, it } from 'vitest';
import { makeGetRecommendations } from '../../../functions/handlers/get-recommendations.ts';
import { makeArchiveInteractions } from '../../../functions/handlers/archive-interactions.ts';
import { createProvider } from '../../../functions/domain/recommend/create-provider.ts';
import { trainRecommender } from '../../../functions/domain/recommend/train-recommender.ts';
import { readInteractionLog } from '../../../functions/domain/recommend/interaction-log.ts';
import type { FailedEvent } from '../../../schemas/failed-event.ts';
import { MemoryProfileStore } from '../../helpers/memory-profile-store.ts';
import { cleanEvent, order } from '../../helpers/events.ts';
import { context, kinesisEvent } from '../../helpers/kinesis-event.ts';

const model = trainRecommender(
  ['a', 'b'].flatMap((u) => ['p1', 'p2'].map((itemId) => ({ userId: u, itemId, timestamp: '2011-01-01T00:00:00Z' }))),
  { method: 'item-item' },
);
const loaded = <T>(m: T) => ({ get: async () => ({ version: 'v1', model: m }) });
const none = { get: async () => undefined };

function api(recommender: { get(): Promise<unknown> } = loaded(createProvider(model))) {
  return makeGetRecommendations({ recommender: recommender as never, catalog: loaded(new Map([['p2', { itemId: 'p2', name: 'Teapot' }]])), store: new MemoryProfileStore() });
}
const get = (path: string, params: Record<string, string>, query?: Record<string, string>) => ({ rawPath: path, pathParameters: params, queryStringParameters: query });
const bodyOf = (r: unknown) => JSON.parse((r as { body: string }).body);

describe('get-recommendations handler', () => {
  it('answers 200 with decorated items for a person and for an item', async () => {
    // Act
    const forPerson = await api()(get('/v1/recommendations/a', { userId: 'a' }, { n: '5', excludePurchased: 'false' }));
    const similar = await api()(get('/v1/items/p1/similar', { itemId: 'p1' }));
    // Assess
    expect(forPerson).toMatchObject({ statusCode: 200 });
    expect(bodyOf(forPerson)).toMatchObject({ userId: 'a', source: 'embedded', model: 'v1' });
    expect(bodyOf(similar).items[0]).toMatchObject({ itemId: 'p2', name: 'Teapot', reason: 'similar_to_item' });
  });

  it('answers 400 naming every bad field', async () => {
    // Act
    const r = await api()(get('/v1/recommendations/a', { userId: 'a' }, { n: '1000', excludePurchased: 'yes' }));
    // Assess
    expect(r).toMatchObject({ statusCode: 400 });
    expect(bodyOf(r).issues.map((i: { field: string }) => i.field)).toEqual(['n', 'excludePurchased']);
  });

  it('answers 503 with what to do when no recommender is trained yet', async () => {
    const r = await api(none)(get('/v1/recommendations/a', { userId: 'a' }));
    expect(r).toMatchObject({ statusCode: 503 });
    expect(bodyOf(r).message).toMatch(/sightline train recommender/);
  });
});

describe('archive-interactions handler', () => {
  it('writes one log object per batch, keeps unreadable records with their reason, acknowledges the batch', async () => {
    // Prepare
    const objects = new Map<string, string>();
    const failed: FailedEvent[] = [];
    const handler = makeArchiveInteractions({ log: { put: async (k, v) => void objects.set(k, v) }, failed: { put: async (r) => void failed.push(...r) }, now: () => new Date('2026-01-01T00:00:00Z') });
    const batch = kinesisEvent([order('u1', '2011-11-01T00:00:00.000Z', 20), 'not json', cleanEvent({ userId: 'u1', event: 'Product Viewed', properties: { product_id: 'p7' } })]);
    // Act
    const res = await handler(batch, context);
    await handler(batch, context); // a re-delivered batch overwrites its own object
    // Assess
    expect(res.batchItemFailures).toEqual([]);
    expect(objects.size).toBe(1);
    expect(readInteractionLog(objects.values()).map((r) => [r.userId, r.itemId, r.eventType])).toEqual([
      ['u1', 'p1', 'purchase'],
      ['u1', 'p7', 'view'],
    ]);
    expect(failed[0]).toMatchObject({ stage: 'archive', reason: 'invalid_json' });
  });

  it('feeds the Personalize tracker when there is one, and only counts its failures (the archive has the events)', async () => {
    // Prepare
    const tracked: unknown[] = [];
    const ok = makeArchiveInteractions({ log: { put: async () => {} }, failed: { put: async () => {} }, now: () => new Date(), tracker: async () => ({ track: async (rows) => (tracked.push(...rows), 1) }) });
    const down = makeArchiveInteractions({ log: { put: async () => {} }, failed: { put: async () => {} }, now: () => new Date(), tracker: async () => ({ track: async () => Promise.reject(new Error('AccessDenied')) }) });
    const batch = kinesisEvent([order('u1', '2011-11-01T00:00:00.000Z', 20)]);
    // Act
    await ok(batch, context);
    const res = await down(batch, context);
    // Assess
    expect(tracked).toHaveLength(1);
    expect(res.batchItemFailures).toEqual([]);
  });

  it('throws when the log cannot be written, so the batch is retried', async () => {
    const handler = makeArchiveInteractions({ log: { put: async () => Promise.reject(new Error('SlowDown')) }, failed: { put: async () => {} }, now: () => new Date() });
    await expect(handler(kinesisEvent([order('u1', '2011-11-01T00:00:00.000Z', 20)]), context)).rejects.toThrow('SlowDown');
  });
});
