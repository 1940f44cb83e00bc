/** `sightline profile <id>`, `sightline retag`, `sightline source create`. */
import { randomUUID } from 'node:crypto';
import type { Services } from '../../functions/shared/services.ts';
import { retagProfiles } from '../../functions/domain/tag/retag.ts';
import { readAllProfiles } from '../../functions/domain/profiles/read-all-profiles.ts';
import { RULE_SET_ID, RULE_SET_V1 } from '../../functions/domain/tag/tags.ts';
import { hashWriteKey, newWriteKey } from '../../functions/domain/collect/write-keys.ts';
import type { Profile } from '../../schemas/profile.ts';
import { localTarget, resourceName, servicesFor } from '../config.ts';
import { adminAuthorization } from '../../local/config.ts';
import type { Shown } from '../output.ts';

export async function fetchProfile(apiUrl: string, id: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${apiUrl}/v1/profiles/${encodeURIComponent(id)}`, { headers: adminAuthorization(apiUrl) });
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
export async function scanProfiles(services: Services, table: string): Promise<Profile[]> {
  return readAllProfiles(services.profileStore(table));
}

/** Re-evaluates every live profile's tags as of `asOf`; writes only those that changed. */
export async function retagAll(services: Services, table: string, asOf: Date): Promise<{ profiles: number; changed: number; conflicts: number }> {
  const profiles = await scanProfiles(services, table);
  const r = await retagProfiles(profiles, { asOf: () => asOf, store: services.profileStore(table), ruleSet: RULE_SET_V1, ruleSetId: RULE_SET_ID });
  return { profiles: profiles.length, changed: r.retagged, conflicts: r.conflicts };
}

export async function createSource(services: Services, table: string, name: string): Promise<{ sourceId: string; writeKey: string }> {
  const writeKey = newWriteKey();
  const sourceId = `src_${randomUUID().slice(0, 8)}`;
  await services.sourceStore(table).create({ schemaVersion: 1, sourceId, name, keyHash: hashWriteKey(writeKey), createdAt: new Date().toISOString(), disabled: false });
  return { sourceId, writeKey };
}

// ---- the CLI's actions (cli/sightline.ts routes here) ------------------------------------

export async function showProfileCommand(id: string, o: { endpoint?: string }): Promise<{ status: number; body: unknown }> {
  return fetchProfile(localTarget({ endpoint: o.endpoint, writeKey: 'unused' }).apiUrl, id);
}

export function formatProfileAnswer(r: { status: number; body: unknown }): Shown {
  return r.status === 200 ? { text: formatProfile(r.body as Profile), ok: true } : { text: `${r.status}: ${JSON.stringify(r.body)}`, ok: false };
}

export async function retagCommand(o: { asOf?: Date; table?: string }) {
  const table = resourceName('PROFILES_TABLE_NAME', o.table);
  return retagAll(servicesFor(o.table ? undefined : localTarget({ writeKey: 'unused' })), table, o.asOf ?? new Date());
}

export const formatRetag = (r: Awaited<ReturnType<typeof retagAll>>) => `${r.profiles} profiles, ${r.changed} re-tagged, ${r.conflicts} skipped (changed meanwhile)`;

export async function createSourceCommand(name: string, o: { table?: string }) {
  const table = resourceName('SOURCES_TABLE_NAME', o.table);
  return { name, ...(await createSource(servicesFor(o.table ? undefined : localTarget({ writeKey: 'unused' })), table, name)) };
}

export const formatSource = (s: { name: string; sourceId: string; writeKey: string }) =>
  `source ${s.sourceId} (${s.name})\nwrite key: ${s.writeKey}\nThis key is shown once; Sightline keeps only its SHA-256.`;
