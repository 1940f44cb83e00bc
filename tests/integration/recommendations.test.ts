/**
 * Recommendations on the local platform for real: orders sent to the event API are archived
 * from the clean stream to S3 (s3rver), the recommender is trained from that archive and
 * published to the registry, and the API serves it — the same handlers as in Lambda.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, testPlatform } from '../helpers/platform.ts';
import { importCatalog, profileCountries, trainRecommenderCommand } from '../../cli/commands/recommender.ts';
import { CatalogBuilder } from '../../functions/domain/recommend/catalog.ts';

type P = Awaited<ReturnType<typeof testPlatform>>;
let platform: P;
let writeKey: string;

beforeAll(async () => {
  // Re-read the registry on every request: the test trains between two requests (the default is once a minute).
  platform = await testPlatform({ functionEnvOverrides: { 'get-recommendations': { MODEL_CACHE_SECONDS: '0' } } });
  ({ writeKey } = await platform.createSource('it'));
});
afterAll(async () => platform?.cleanup());

const order = (userId: string, day: number, items: string[]) => ({
  type: 'track',
  userId,
  event: 'Order Completed',
  messageId: `o-${userId}-${day}`,
  timestamp: new Date(Date.UTC(2011, 9, day)).toISOString(),
  properties: { order_id: `${userId}-${day}`, revenue: 10 * items.length, currency: 'GBP', products: items.map((id) => ({ product_id: id, price: 10, quantity: 1 })) },
  // Personal recommendations need personalisation consent (unknown is not granted).
  context: { consent: { categoryPreferences: { personalisation: true } } },
});

async function get(path: string) {
  const res = await fetch(`${platform.apiUrl}${path}`);
  return { status: res.status, body: (await res.json()) as any };
}

describe('recommendations on the local platform', () => {
  it('archives orders, trains from the archive, and serves recommendations, similar items and the cold-start fallback', async () => {
    // Prepare: mug people and bag people; a French shopper who never ordered.
    const batch = [
      ...['ann', 'bob', 'cat'].flatMap((u, i) => [order(u, 1 + i, ['MUG', 'TEA']), order(u, 10 + i, ['SPOON'])]),
      order('dan', 5, ['MUG']),
      ...['eve', 'fay'].map((u, i) => order(u, 3 + i, ['BAG', 'TOTE'])),
      { type: 'identify', userId: 'zoe', traits: { country: 'France' }, messageId: 'id-zoe', timestamp: '2011-10-20T00:00:00Z' },
      ...['eve', 'fay'].map((u) => ({ type: 'identify', userId: u, traits: { country: 'France' }, messageId: `id-${u}`, timestamp: '2011-10-20T00:00:00Z' })),
    ];
    const sent = await fetch(`${platform.apiUrl}/v1/batch`, { method: 'POST', headers: { authorization: basicAuth(writeKey), 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
    expect(sent.status).toBe(200);
    await platform.waitForIdle();
    expect((await get('/v1/recommendations/dan')).status).toBe(503); // nothing trained yet
    const modelsBucket = platform.resource('get-recommendations', 'MODELS_BUCKET');
    const interactionsBucket = platform.resource('archive-interactions', 'INTERACTIONS_BUCKET');
    const catalog = new CatalogBuilder();
    catalog.add({ itemId: 'TEA', name: 'Floral teapot', price: 18 });

    // Act
    const countries = await profileCountries(platform.services, platform.resource('tag-profiles', 'PROFILES_TABLE_NAME'));
    const trained = await trainRecommenderCommand({ services: platform.services, modelsBucket, interactionsBucket, method: 'item-item', countries, options: { popularity: { countryPrior: 0 } } });
    await importCatalog({ services: platform.services, modelsBucket, interactionsBucket, catalog: catalog.build(new Date()) });
    const forDan = await get('/v1/recommendations/dan?n=3');
    const similar = await get('/v1/items/BAG/similar?n=2');
    const forZoe = await get('/v1/recommendations/zoe?n=1');
    const bad = await get('/v1/recommendations/dan?n=0');

    // Assess
    expect(trained).toMatchObject({ interactions: 14, users: 6, items: 5 });
    expect(forDan.status).toBe(200);
    expect(forDan.body).toMatchObject({ userId: 'dan', source: 'embedded', model: trained.info.version });
    expect(forDan.body.items.map((r: { itemId: string }) => r.itemId)).not.toContain('MUG');
    expect(forDan.body.items.find((r: { itemId: string }) => r.itemId === 'TEA')).toMatchObject({ name: 'Floral teapot', because: 'MUG' });
    expect(similar.body.items[0]).toMatchObject({ itemId: 'TOTE', reason: 'similar_to_item' });
    expect(forZoe.body.items[0]).toMatchObject({ reason: 'popular_in_country' });
    expect(['BAG', 'TOTE']).toContain(forZoe.body.items[0].itemId);
    expect(bad).toMatchObject({ status: 400, body: { issues: [{ field: 'n' }] } });
  });
});
