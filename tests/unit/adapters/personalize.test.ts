import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { GetRecommendationsCommand, PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime';
import { PersonalizeEventsClient, PutEventsCommand, PutItemsCommand } from '@aws-sdk/client-personalize-events';
import { PersonalizeEventTracker, PersonalizeItems, PersonalizeRecommendationProvider, S3PersonalizeConfig } from '../../../functions/adapters/personalize.ts';

const runtime = mockClient(PersonalizeRuntimeClient);
const events = mockClient(PersonalizeEventsClient);
const s3 = mockClient(S3Client);
beforeEach(() => {
  runtime.reset();
  events.reset();
  s3.reset();
});
const config = { campaignArn: 'arn:aws:personalize:eu-west-1:1:campaign/c', filterArn: 'arn:aws:personalize:eu-west-1:1:filter/f', trackingId: 't-1' };
const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} });

describe('PersonalizeRecommendationProvider', () => {
  it('asks the campaign with the exclude-purchased filter, over-fetches for explicit excludes, and trims to n', async () => {
    // Prepare
    runtime.on(GetRecommendationsCommand).resolves({ itemList: [{ itemId: 'a', score: 0.5 }, { itemId: 'b', score: 0.3 }, { itemId: 'c', score: 0.1 }] });
    const provider = new PersonalizeRecommendationProvider(new PersonalizeRuntimeClient({}), config);
    // Act
    const items = await provider.recommend('ada', { n: 2, excludePurchased: true, exclude: new Set(['a']) });
    // Assess
    expect(runtime.commandCalls(GetRecommendationsCommand)[0].args[0].input).toEqual({ campaignArn: config.campaignArn, userId: 'ada', numResults: 3, filterArn: config.filterArn });
    expect(items).toEqual([
      { itemId: 'b', score: 0.3, reason: 'personalize' },
      { itemId: 'c', score: 0.1, reason: 'personalize' },
    ]);
  });

  it('leaves the filter off when purchases may be recommended, and surfaces failures', async () => {
    // Prepare
    runtime.on(GetRecommendationsCommand).rejectsOnce(throttled()).resolves({ itemList: [] });
    const provider = new PersonalizeRecommendationProvider(new PersonalizeRuntimeClient({ maxAttempts: 1 }), config);
    // Act + Assess
    await expect(provider.recommend('ada', { n: 5, excludePurchased: false })).rejects.toThrow('Rate exceeded');
    expect(await provider.recommend('ada', { n: 5, excludePurchased: false })).toEqual([]);
    expect(runtime.commandCalls(GetRecommendationsCommand)[1].args[0].input.filterArn).toBeUndefined();
  });
});

describe('PersonalizeEventTracker', () => {
  it('sends one call per person and at most 10 events each, with a daily session', async () => {
    // Prepare
    events.on(PutEventsCommand).resolves({});
    const rows = [
      ...Array.from({ length: 12 }, (_, i) => ({ userId: 'ada', itemId: `p${i}`, timestamp: 1_300_000_000 + i, eventType: 'purchase' as const, quantity: 1 })),
      { userId: 'bob', itemId: 'p1', timestamp: 1_300_000_000, eventType: 'view' as const, quantity: 1 },
    ];
    // Act
    const calls = await new PersonalizeEventTracker(new PersonalizeEventsClient({}), 't-1').track(rows);
    // Assess
    const inputs = events.commandCalls(PutEventsCommand).map((c) => c.args[0].input);
    expect(calls).toBe(3);
    expect(inputs.map((i) => [i.userId, i.eventList!.length])).toEqual([
      ['ada', 10],
      ['ada', 2],
      ['bob', 1],
    ]);
    expect(inputs[0]).toMatchObject({ trackingId: 't-1', sessionId: 'ada-2011-03-13' });
    expect(inputs[2].eventList![0]).toEqual({ eventType: 'view', itemId: 'p1', sentAt: new Date(1_300_000_000_000) });
  });

  it('throws when Personalize refuses, never swallowing it', async () => {
    events.on(PutEventsCommand).rejects(throttled());
    await expect(new PersonalizeEventTracker(new PersonalizeEventsClient({ maxAttempts: 1 }), 't').track([{ userId: 'a', itemId: 'i', timestamp: 1, eventType: 'purchase', quantity: 1 }])).rejects.toThrow('Rate exceeded');
  });
});

describe('PersonalizeItems', () => {
  it('puts items in tens with camel-case properties of the items schema', async () => {
    // Prepare
    events.on(PutItemsCommand).resolves({});
    const items = Array.from({ length: 11 }, (_, i) => ({ itemId: `p${i}`, name: `Item ${i}`, ...(i === 0 ? { category: 'kitchen', price: 2.5 } : {}) }));
    // Act
    const calls = await new PersonalizeItems(new PersonalizeEventsClient({}), 'arn:items').put(items);
    // Assess
    const inputs = events.commandCalls(PutItemsCommand).map((c) => c.args[0].input);
    expect(calls).toBe(2);
    expect(inputs[0].datasetArn).toBe('arn:items');
    expect(inputs[0].items![0]).toEqual({ itemId: 'p0', properties: JSON.stringify({ category: 'kitchen', price: 2.5, description: 'Item 0' }) });
    expect(JSON.parse(inputs[1].items![0].properties!)).toEqual({ category: 'other', description: 'Item 10' });
  });
});

describe('S3PersonalizeConfig', () => {
  // The adapter reads Body with transformToString, as the SDK's stream mixin provides.
  const body = (s: string) => ({ transformToString: async () => s });
  it('reads the pointer, validates it, and re-reads it only after the ttl', async () => {
    // Prepare
    s3.on(GetObjectCommand).resolvesOnce({ Body: body(JSON.stringify(config)) as never }).rejects(new NoSuchKey({ message: 'gone', $metadata: {} }));
    let now = 0;
    const reader = new S3PersonalizeConfig(new S3Client({}), 'models', 1_000, () => now);
    // Act + Assess
    expect(await reader.get()).toEqual(config);
    expect(await reader.get()).toEqual(config);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({ Bucket: 'models', Key: 'models/_personalize/current.json' });
    now = 2_000;
    expect(await reader.get()).toBeUndefined();
  });

  it('refuses a pointer of the wrong shape', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body('{"campaignArn":"not-an-arn"}') as never });
    await expect(new S3PersonalizeConfig(new S3Client({}), 'models').get()).rejects.toThrow();
  });
});
