/**
 * Amazon Personalize adapters (AWS SDK v3):
 * - PersonalizeRecommendationProvider: GetRecommendations on the workflow's campaign, with the
 *   "exclude purchased" filter. Similar items are not asked of Personalize (no SIMS campaign):
 *   it answers [] and serving falls back to the embedded model.
 * - PersonalizeEventTracker: PutEvents, one call per person and at most 10 events (the API's
 *   limit), so the campaign sees purchases in real time between trainings.
 * - PersonalizeItems: PutItems in tens, for the catalog.
 * - S3PersonalizeConfig: the workflow's pointer, re-read at most once per ttl.
 * Calls throw (the SDK has already retried throttling); callers decide what a failure means.
 */
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { GetRecommendationsCommand, type PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime';
import { PutEventsCommand, PutItemsCommand, type PersonalizeEventsClient } from '@aws-sdk/client-personalize-events';
import type { CatalogItem } from '../domain/recommend/catalog.ts';
import type { InteractionRow } from '../domain/recommend/interaction-log.ts';
import type { EventTracker } from '../domain/recommend/ports.ts';
import { PERSONALIZE_CONFIG_KEY, personalizeConfigSchema, type PersonalizeConfig } from '../domain/recommend/personalize-config.ts';
import type { Recommendation, RecommendationProvider, RecommendOptions } from '../domain/recommend/recommendation-provider.ts';

/** GetRecommendations returns at most 500 items. */
const MAX_RESULTS = 500;
/** PutEvents and PutItems take at most 10 entries per call. */
const PER_CALL = 10;

export class PersonalizeRecommendationProvider implements RecommendationProvider {
  constructor(
    private readonly runtime: PersonalizeRuntimeClient,
    private readonly config: PersonalizeConfig,
  ) {}

  async recommend(userId: string, o: RecommendOptions): Promise<Recommendation[]> {
    const exclude = o.exclude ?? new Set<string>();
    const out = await this.runtime.send(
      new GetRecommendationsCommand({
        campaignArn: this.config.campaignArn,
        userId,
        numResults: Math.min(MAX_RESULTS, o.n + exclude.size),
        ...(o.excludePurchased && this.config.filterArn ? { filterArn: this.config.filterArn } : {}),
      }),
    );
    return (out.itemList ?? [])
      .filter((i): i is { itemId: string; score?: number } => !!i.itemId && !exclude.has(i.itemId))
      .slice(0, o.n)
      .map((i) => ({ itemId: i.itemId, score: i.score ?? 0, reason: 'personalize' as const }));
  }

  similarItems(): Recommendation[] {
    return [];
  }
}

export function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

export class PersonalizeEventTracker implements EventTracker {
  constructor(
    private readonly events: PersonalizeEventsClient,
    private readonly trackingId: string,
  ) {}

  /** Sends every row; returns the number of calls made. */
  async track(rows: readonly InteractionRow[]): Promise<number> {
    const byUser = new Map<string, InteractionRow[]>();
    for (const r of rows) byUser.set(r.userId, [...(byUser.get(r.userId) ?? []), r]);
    let calls = 0;
    for (const [userId, mine] of byUser) {
      for (const part of chunks(mine, PER_CALL)) {
        // A session per person and day: Personalize groups a session's events as one visit.
        const sessionId = `${userId}-${new Date(part[0].timestamp * 1000).toISOString().slice(0, 10)}`;
        await this.events.send(
          new PutEventsCommand({
            trackingId: this.trackingId,
            userId,
            sessionId,
            eventList: part.map((r) => ({ eventType: r.eventType, itemId: r.itemId, sentAt: new Date(r.timestamp * 1000) })),
          }),
        );
        calls++;
      }
    }
    return calls;
  }
}

export class PersonalizeItems {
  constructor(
    private readonly events: PersonalizeEventsClient,
    private readonly itemsDatasetArn: string,
  ) {}

  async put(items: readonly CatalogItem[]): Promise<number> {
    let calls = 0;
    for (const part of chunks(items, PER_CALL)) {
      await this.events.send(
        new PutItemsCommand({
          datasetArn: this.itemsDatasetArn,
          // Property names are the items schema's fields in camel case.
          items: part.map((i) => ({ itemId: i.itemId, properties: JSON.stringify({ category: i.category ?? 'other', ...(i.price !== undefined ? { price: i.price } : {}), description: i.name }) })),
        }),
      );
      calls++;
    }
    return calls;
  }
}

export class S3PersonalizeConfig {
  private cached?: PersonalizeConfig;
  private checkedAt = -Infinity;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<PersonalizeConfig | undefined> {
    if (this.now() - this.checkedAt < this.ttlMs) return this.cached;
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: PERSONALIZE_CONFIG_KEY }));
      this.cached = personalizeConfigSchema.parse(JSON.parse(await out.Body!.transformToString()));
    } catch (err) {
      if (!(err instanceof NoSuchKey || (err as Error).name === 'NoSuchKey')) throw err;
      this.cached = undefined;
    }
    this.checkedAt = this.now();
    return this.cached;
  }
}
