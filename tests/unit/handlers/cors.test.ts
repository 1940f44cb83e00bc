/**
 * CORS headers by route (issue 10, finding 8): the event-collection handler answers any
 * origin (browser SDKs); the read handlers, IAM-only in AWS and returning personal data,
 * send no CORS header, on success or error.
 */
import { describe, expect, it } from 'vitest';
import { makeCollect } from '../../../functions/handlers/collect-events.ts';
import { makeGetProfile } from '../../../functions/handlers/get-profile.ts';
import { makeGetRecommendations } from '../../../functions/handlers/get-recommendations.ts';
import { MemoryProfileStore, MemoryScoreStore } from '../../helpers/memory-profile-store.ts';

type Res = { statusCode: number; headers?: Record<string, string> };
const acao = (r: unknown) => (r as Res).headers?.['access-control-allow-origin'];

describe('CORS by route', () => {
  it('collect-events answers every origin, errors included', async () => {
    // Prepare
    const collect = makeCollect({ sink: { put: async () => undefined }, failed: { put: async () => undefined } });
    const req = (body: string) => ({ rawPath: '/v1/track', body, isBase64Encoded: false, requestContext: { requestId: 'r', authorizer: { lambda: { sourceId: 's' } } } }) as never;
    // Act
    const ok = await collect(req('{"userId":"u","event":"x"}'));
    const bad = await collect(req('{'));
    // Assess
    expect([(ok as Res).statusCode, (bad as Res).statusCode]).toEqual([200, 400]);
    expect([acao(ok), acao(bad)]).toEqual(['*', '*']);
  });

  it('get-profile and get-recommendations send no CORS header, found or not', async () => {
    // Prepare
    const profile = makeGetProfile(new MemoryProfileStore(), new MemoryScoreStore());
    const none = { get: async () => undefined };
    const recommend = makeGetRecommendations({ recommender: none as never, catalog: none as never, store: new MemoryProfileStore() });
    // Act
    const answers = [
      await profile({ pathParameters: { id: 'nobody' }, rawPath: '/v1/profiles/nobody' }),
      await profile({ pathParameters: { id: '%E0%A4%A' }, rawPath: '/v1/profiles/%E0%A4%A' }),
      await recommend({ rawPath: '/v1/recommendations/a', pathParameters: { userId: 'a' }, queryStringParameters: undefined }),
      await recommend({ rawPath: '/v1/items/p1/similar', pathParameters: { itemId: 'p1' }, queryStringParameters: { n: '0' } }),
    ];
    // Assess
    expect(answers.map((a) => (a as Res).statusCode)).toEqual([404, 400, 503, 400]);
    for (const a of answers) expect(Object.keys((a as Res).headers ?? {}).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });
});
