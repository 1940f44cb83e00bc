/**
 * ProfileStore on DynamoDB (one table; key design in schemas/profile.ts and the README).
 * Single-item conditional writes only: no transactions (dynalite has none; they cost double).
 */
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { profileSchema, storedScoresItemSchema, type Profile, type ScoresItem, type StoredScoresItem } from '../../schemas/profile.ts';
import { identityKeyString, type IdentityKey, type ProfileScanner, type ProfileStore } from '../domain/profiles/ports.ts';
import { type ScoreStore } from '../domain/score/ports.ts';

export const profileKey = (profileId: string) => ({ pk: `P#${profileId}`, sk: 'PROFILE' });
export const scoresKey = (profileId: string) => ({ pk: `P#${profileId}`, sk: 'SCORES' });
export const identityItemKey = (k: IdentityKey) => ({ pk: `ID#${k.kind}#${k.value}`, sk: 'ID' });

/** Counts what the store consumed, for the write-efficiency benchmark. */
export interface CapacityMeter {
  add(kind: 'read' | 'write', units: number): void;
}

const BATCH_GET_MAX = 100;

/** ScoresItem → its stored form (schemas/profile.ts storedScoresItemSchema). */
export function compactScores(item: ScoresItem): StoredScoresItem {
  const scores = Object.fromEntries(
    Object.entries(item.scores).map(([name, { contributions, model: _model, ...rest }]) => [
      name,
      { ...rest, features: contributions.map((c) => c.feature), values: contributions.map((c) => c.value), contributions: contributions.map((c) => c.contribution) },
    ]),
  );
  return { ...item, scores };
}

/** The stored form → ScoresItem. */
export function expandScores(stored: StoredScoresItem): ScoresItem {
  const scores = Object.fromEntries(
    Object.entries(stored.scores).map(([name, { features, values, contributions, ...rest }]) => [
      name,
      { ...rest, model: name, contributions: features.map((feature, i) => ({ feature, value: values[i], contribution: contributions[i] })) },
    ]),
  );
  return { ...stored, scores };
}
const parseScores = (item: Record<string, unknown>) => expandScores(storedScoresItemSchema.parse(item));

export class DynamoProfileStore implements ProfileStore, ProfileScanner, ScoreStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly meter?: CapacityMeter,
  ) {}

  private count(kind: 'read' | 'write', c?: { CapacityUnits?: number } | { CapacityUnits?: number }[]) {
    if (!this.meter || !c) return;
    for (const x of Array.isArray(c) ? c : [c]) this.meter.add(kind, x.CapacityUnits ?? 0);
  }

  async getProfile(profileId: string): Promise<Profile | undefined> {
    const out = await this.ddb.send(
      new GetCommand({ TableName: this.tableName, Key: profileKey(profileId), ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }),
    );
    this.count('read', out.ConsumedCapacity);
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, ...rest } = out.Item;
    return profileSchema.parse(rest);
  }

  /** BatchGetItem in chunks of 100, re-requesting UnprocessedKeys (the SDK retries throttling, not partial results). */
  private async batchGet(keys: Record<string, string>[], consistent: boolean): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    const unique = [...new Map(keys.map((k) => [`${k.pk}|${k.sk}`, k])).values()];
    for (let i = 0; i < unique.length; i += BATCH_GET_MAX) {
      let request: Record<string, unknown>[] | undefined = unique.slice(i, i + BATCH_GET_MAX);
      for (let attempt = 0; request && request.length > 0; attempt++) {
        if (attempt > 8) throw new Error('BatchGetItem left unprocessed keys after 8 retries');
        if (attempt > 0) await new Promise((r) => setTimeout(r, 2 ** attempt * 10));
        const out = await this.ddb.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: request, ConsistentRead: consistent } }, ReturnConsumedCapacity: 'TOTAL' }),
        );
        this.count('read', out.ConsumedCapacity);
        items.push(...(out.Responses?.[this.tableName] ?? []));
        request = out.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return items;
  }

  async getProfiles(profileIds: string[]): Promise<Map<string, Profile>> {
    const items = await this.batchGet(profileIds.map(profileKey), true);
    return new Map(
      items.map((item) => {
        const { pk: _pk, sk: _sk, ...rest } = item;
        const p = profileSchema.parse(rest);
        return [p.profileId, p];
      }),
    );
  }

  /** Eventually consistent: a scores item is rewritten whole, and a stale read costs one more write at most. */
  async getScores(profileIds: string[]): Promise<Map<string, ScoresItem>> {
    const items = await this.batchGet(profileIds.map(scoresKey), false);
    return new Map(
      items.map((item) => {
        const { pk: _pk, sk: _sk, ...rest } = item;
        const s = parseScores(rest);
        return [s.profileId, s];
      }),
    );
  }

  async getProfilesWithScores(profileIds: string[]): Promise<{ profiles: Map<string, Profile>; scores: Map<string, ScoresItem> }> {
    const items = await this.batchGet(profileIds.flatMap((id) => [profileKey(id), scoresKey(id)]), false);
    const profiles = new Map<string, Profile>();
    const scores = new Map<string, ScoresItem>();
    for (const { pk: _pk, sk, ...rest } of items) {
      if (sk === 'SCORES') {
        const s = parseScores(rest);
        scores.set(s.profileId, s);
      } else {
        const p = profileSchema.parse(rest);
        profiles.set(p.profileId, p);
      }
    }
    return { profiles, scores };
  }

  async saveScores(item: ScoresItem): Promise<boolean> {
    return this.conditionalPut({
      Item: { ...scoresKey(item.profileId), ...compactScores(item) },
      ConditionExpression: 'attribute_not_exists(pk) OR profileVersion <= :v',
      ExpressionAttributeValues: { ':v': item.profileVersion },
    });
  }

  async deleteScores(profileId: string, profileVersion: number): Promise<boolean> {
    try {
      const out = await this.ddb.send(
        new DeleteCommand({ TableName: this.tableName, Key: scoresKey(profileId), ConditionExpression: 'profileVersion <= :v', ExpressionAttributeValues: { ':v': profileVersion }, ReturnConsumedCapacity: 'TOTAL' }),
      );
      this.count('write', out.ConsumedCapacity);
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** A conditional PutItem: true when written, false when the condition failed; other errors are thrown. */
  private async conditionalPut(input: Omit<PutCommandInput, 'TableName' | 'ReturnConsumedCapacity'>): Promise<boolean> {
    try {
      const out = await this.ddb.send(new PutCommand({ ...input, TableName: this.tableName, ReturnConsumedCapacity: 'TOTAL' }));
      this.count('write', out.ConsumedCapacity);
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async findIdentities(keys: IdentityKey[]): Promise<Map<string, string>> {
    // Eventually consistent (half the read units): a link missed here is caught by claimIdentity's condition.
    const items = await this.batchGet(keys.map(identityItemKey), false);
    return new Map(items.map((item) => [String(item.pk).slice(3), String(item.profileId)]));
  }

  async claimIdentity(key: IdentityKey, profileId: string): Promise<{ ok: true } | { ok: false; profileId: string }> {
    try {
      const out = await this.ddb.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...identityItemKey(key), schemaVersion: 1, kind: key.kind, value: key.value, profileId, updatedAt: new Date().toISOString() },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.count('write', out.ConsumedCapacity);
      return { ok: true };
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        const owner = err.Item?.profileId?.S;
        if (owner) return { ok: false, profileId: owner };
        const again = await this.findIdentities([key]);
        const current = again.get(identityKeyString(key));
        if (current) return { ok: false, profileId: current };
      }
      throw err;
    }
  }

  async repointIdentity(key: IdentityKey, from: string, to: string): Promise<void> {
    try {
      const out = await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: identityItemKey(key),
          UpdateExpression: 'SET profileId = :to, updatedAt = :now',
          ConditionExpression: 'attribute_not_exists(pk) OR profileId = :from',
          ExpressionAttributeValues: { ':to': to, ':from': from, ':now': new Date().toISOString() },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.count('write', out.ConsumedCapacity);
    } catch (err) {
      // Already re-pointed by someone else: that is the outcome we wanted.
      if (err instanceof ConditionalCheckFailedException) return;
      throw err;
    }
  }

  async saveProfile(profile: Profile, expectedVersion: number): Promise<boolean> {
    return this.conditionalPut({
      Item: { ...profileKey(profile.profileId), ...profile },
      ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : '#v = :expected',
      ...(expectedVersion === 0 ? {} : { ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':expected': expectedVersion } }),
    });
  }

  /**
   * One page of segment `segment` of a parallel scan, profiles only (identity items are
   * filtered out by the server, but still read: a scan pays for what it reads). The cursor
   * is the LastEvaluatedKey as JSON: opaque to callers, small (two strings).
   */
  async scanProfiles(opts: { segment: number; totalSegments: number; cursor?: string; limit?: number }): Promise<{ profiles: Profile[]; cursor?: string }> {
    const out = await this.ddb.send(
      new ScanCommand({
        TableName: this.tableName,
        Segment: opts.segment,
        TotalSegments: opts.totalSegments,
        ExclusiveStartKey: opts.cursor ? (JSON.parse(opts.cursor) as Record<string, unknown>) : undefined,
        Limit: opts.limit,
        FilterExpression: 'sk = :p',
        ExpressionAttributeValues: { ':p': 'PROFILE' },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    this.count('read', out.ConsumedCapacity);
    const profiles = (out.Items ?? []).map(({ pk: _pk, sk: _sk, ...rest }) => profileSchema.parse(rest));
    return { profiles, ...(out.LastEvaluatedKey ? { cursor: JSON.stringify(out.LastEvaluatedKey) } : {}) };
  }
}
