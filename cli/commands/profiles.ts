/** `sightline profile <id>`, `sightline retag`, `sightline source create`. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { DynamoProfileStore } from '../../functions/adapters/dynamo-profile-store.ts';
import { DynamoSourceStore } from '../../functions/adapters/dynamo-source-store.ts';
import { retagProfiles } from '../../functions/domain/tag/retag.ts';
import { readAllProfiles } from '../../functions/domain/profiles/read-all-profiles.ts';
import { RULE_SET_ID, RULE_SET_V1 } from '../../functions/domain/tag/tags.ts';
import { hashWriteKey, newWriteKey } from '../../functions/domain/collect/write-keys.ts';
import type { Profile } from '../../schemas/profile.ts';
import type { CliTarget } from '../config.ts';

/** A DynamoDB client for the local emulator when the target has one, else the AWS default chain. */
export function dynamoFor(target?: Pick<CliTarget, 'endpoints'>): DynamoDBDocumentClient {
  const local = target?.endpoints?.dynamodb;
  const client = new DynamoDBClient(local ? { endpoint: local, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {});
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export async function fetchProfile(apiUrl: string, id: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${apiUrl}/v1/profiles/${encodeURIComponent(id)}`);
  return { status: res.status, body: await res.json() };
}

export function formatProfile(p: Profile): string {
  const a = p.aggregates;
  const tags = Object.entries(p.tags).map(([k, v]) => (v === true ? k : `${k}=${v}`));
  return [
    `profile ${p.profileId}  (v${p.version}, tags ${p.tagsRuleSet ?? '-'} as of ${p.tagsAsOf?.slice(0, 10) ?? '-'})`,
    `  ids      users ${p.identities.userIds.join(', ') || '-'} | anonymous ${p.identities.anonymousIds.length} | emails ${p.identities.emailHashes.length}`,
    `  orders   ${a.orders} for ${a.revenue.toFixed(2)} ${a.currency ?? ''}, ${a.items} items, ${a.returns} returns; first ${a.firstOrderAt?.slice(0, 10) ?? '-'}, last ${a.lastOrderAt?.slice(0, 10) ?? '-'}`,
    `  tags     ${tags.join('  ') || '-'}`,
    `  consent  ${Object.entries(p.consent).map(([k, v]) => `${k}:${v ? 'yes' : 'no'}`).join(' ') || '-'}`,
    ...(p.campaignContact
      ? [`  contact  ${p.campaignContact.campaign}${p.campaignContact.channel ? ` by ${p.campaignContact.channel}` : ''} on ${p.campaignContact.at.slice(0, 10)}: ${p.campaignContact.outcome ?? 'no outcome yet'}`]
      : []),
    ...Object.values(p.scores ?? {}).map(
      (s) => `  ${`${s.model}`.padEnd(8)} ${s.output === 'probability' ? `${(s.value * 100).toFixed(1)} %` : s.value.toFixed(2)}  because ${s.explanation.join('; ') || '-'}  (${s.version}, as of ${s.at.slice(0, 10)})`,
    ),
  ].join('\n');
}

/** Every profile item of the table (functions/domain/read-all-profiles.ts over the DynamoDB scan). */
export async function scanProfiles(ddb: DynamoDBDocumentClient, table: string): Promise<Profile[]> {
  return readAllProfiles(new DynamoProfileStore(ddb, table));
}

/** Re-evaluates every live profile's tags as of `asOf`; writes only those that changed. */
export async function retagAll(ddb: DynamoDBDocumentClient, table: string, asOf: Date): Promise<{ profiles: number; changed: number; conflicts: number }> {
  const profiles = await scanProfiles(ddb, table);
  const r = await retagProfiles(profiles, { asOf: () => asOf, store: new DynamoProfileStore(ddb, table), ruleSet: RULE_SET_V1, ruleSetId: RULE_SET_ID });
  return { profiles: profiles.length, changed: r.retagged, conflicts: r.conflicts };
}

export async function createSource(ddb: DynamoDBDocumentClient, table: string, name: string): Promise<{ sourceId: string; writeKey: string }> {
  const writeKey = newWriteKey();
  const sourceId = `src_${randomUUID().slice(0, 8)}`;
  await new DynamoSourceStore(ddb, table).create({ schemaVersion: 1, sourceId, name, keyHash: hashWriteKey(writeKey), createdAt: new Date().toISOString(), disabled: false });
  return { sourceId, writeKey };
}
