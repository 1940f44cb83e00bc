/**
 * The profiles table as a PersonStore (functions/domain/privacy/ports.ts): for every profile
 * of the subject its PROFILE and SCORES items, and every identity link of theirs
 * (`ID#user|anon|email#<value>`) that points to one of those profiles. Keys only, by
 * BatchGetItem (no scan): the subject names every key.
 *
 * Erase deletes each item; an identity link is deleted only while it still points to one
 * of the subject's profiles (a condition), so a link re-claimed by someone else stays.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EraseOutcome, Found, PersonStore, Subject } from '../domain/privacy/ports.ts';
import { identityItemKey, profileKey, scoresKey } from './dynamo-profile-store.ts';

const BATCH_GET_MAX = 100;

export function subjectProfileKeys(s: Subject): { pk: string; sk: string }[] {
  return [
    ...s.profileIds.flatMap((id) => [profileKey(id), scoresKey(id)]),
    ...s.userIds.map((value) => identityItemKey({ kind: 'user', value })),
    ...s.anonymousIds.map((value) => identityItemKey({ kind: 'anon', value })),
    ...s.emailHashes.map((value) => identityItemKey({ kind: 'email', value })),
  ];
}

export class ProfilesPrivacyStore implements PersonStore {
  readonly store = 'profiles' as const;
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async find(s: Subject): Promise<Found> {
    const keys = [...new Map(subjectProfileKeys(s).map((k) => [`${k.pk}|${k.sk}`, k])).values()];
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < keys.length; i += BATCH_GET_MAX) {
      let request: Record<string, unknown>[] | undefined = keys.slice(i, i + BATCH_GET_MAX);
      for (let attempt = 0; request && request.length > 0; attempt++) {
        if (attempt > 8) throw new Error('privacy: BatchGetItem left unprocessed keys after 8 retries');
        if (attempt > 0) await new Promise((r) => setTimeout(r, 2 ** attempt * 10));
        const out = await this.ddb.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: request, ConsistentRead: true } } }));
        items.push(...(out.Responses?.[this.tableName] ?? []));
        request = out.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    const mine = new Set(s.profileIds);
    const held = items.filter((it) => it.sk !== 'ID' || mine.has(String(it.profileId)) || s.profileIds.length === 0);
    held.sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
    return { count: held.length, items: held };
  }

  async erase(s: Subject, found: Found): Promise<EraseOutcome> {
    for (const item of found.items as { pk: string; sk: string; profileId?: string }[]) {
      try {
        await this.ddb.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { pk: item.pk, sk: item.sk },
            ...(item.sk === 'ID' ? { ConditionExpression: 'attribute_not_exists(pk) OR profileId = :p', ExpressionAttributeValues: { ':p': item.profileId } } : {}),
          }),
        );
      } catch (err) {
        // Re-pointed to another person since it was read: not this person's link any more.
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    }
    return { remaining: (await this.find(s)).count };
  }
}
