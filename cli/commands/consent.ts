/**
 * `sightline consent set <id> <channel.purpose|purpose> granted|denied|withdrawn` and
 * `sightline consent show <id>`.
 *
 * `set` records with source `cli` the same way POST /v1/consent does (functions/domain/
 * privacy/consent-record.ts): a `Consent Updated` event put on the raw stream with the SDK
 * (IAM in AWS; the emulator locally), so it reaches the profile through Clean and Tag and is
 * ordered, de-duplicated and merged like every event. The profile must exist: the record is
 * addressed to its userId (or anonymousId), so merges still find it. `show` reads the profile
 * and prints the history with the state derived from it (unknown is not granted).
 */
import type { Services } from '../../functions/shared/services.ts';
import { findProfile } from '../../functions/domain/profiles/find-profile.ts';
import { recordConsentRequest } from '../../functions/domain/privacy/consent-record.ts';
import { consentHistoryOf, deriveConsent } from '../../functions/domain/privacy/consent.ts';
import { consentRequestSchema, type ConsentEntry, type DerivedConsentStatus } from '../../schemas/consent.ts';
import type { Profile } from '../../schemas/profile.ts';
import { localTarget, resourceName, servicesFor } from '../config.ts';

export interface ConsentTargets {
  profilesTable?: string;
  rawStream?: string;
  failedEventsBucket?: string;
}

const servicesOf = (o: ConsentTargets) => servicesFor(o.profilesTable || o.rawStream ? undefined : localTarget({ writeKey: 'unused' }));

async function profileOf(services: Services, table: string, id: string): Promise<Profile> {
  const p = await findProfile(services.profileStore(table), id);
  if (!p) throw new Error(`no profile ${id} (a userId, or user:/anon:/email:/profile:<id>)`);
  return p;
}

export async function setConsent(services: Services, names: Required<ConsentTargets>, id: string, key: string, status: string, now = new Date()) {
  const profile = await profileOf(services, names.profilesTable, id);
  const who = profile.identities.userIds[0] !== undefined ? { userId: profile.identities.userIds[0] } : { anonymousId: profile.identities.anonymousIds[0] };
  const parsed = consentRequestSchema.safeParse({ ...who, consent: { [key]: status } });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const r = await recordConsentRequest(
    { request: parsed.data, source: 'cli', sourceId: 'cli', receivedAt: now },
    { sink: services.eventSink(names.rawStream), failed: services.failedEvents(names.failedEventsBucket) },
  );
  return { profileId: profile.profileId, key, status, messageId: r.messageId };
}

export async function showConsent(services: Services, table: string, id: string): Promise<{ profileId: string; history: ConsentEntry[]; state: Record<string, DerivedConsentStatus> }> {
  const p = await profileOf(services, table, id);
  const history = consentHistoryOf(p);
  return { profileId: p.profileId, history, state: deriveConsent(history) };
}

// ---- the CLI's actions (cli/sightline.ts routes here) ------------------------------------

const namesOf = (o: ConsentTargets): Required<ConsentTargets> => ({
  profilesTable: resourceName('PROFILES_TABLE_NAME', o.profilesTable),
  rawStream: resourceName('RAW_STREAM_NAME', o.rawStream),
  failedEventsBucket: resourceName('FAILED_EVENTS_BUCKET', o.failedEventsBucket),
});

export const setConsentCommand = (id: string, key: string, status: string, o: ConsentTargets) => setConsent(servicesOf(o), namesOf(o), id, key, status);
export const showConsentCommand = (id: string, o: ConsentTargets) => showConsent(servicesOf(o), resourceName('PROFILES_TABLE_NAME', o.profilesTable), id);

export const formatConsentSet = (r: Awaited<ReturnType<typeof setConsent>>) =>
  `recorded ${r.key} ${r.status} for ${r.profileId} (source cli, message ${r.messageId}); the profile shows it once Clean and Tag have run`;

export function formatConsentShow(r: Awaited<ReturnType<typeof showConsent>>): string {
  const state = Object.entries(r.state).map(([k, s]) => `${k}:${s}`);
  return [
    `consent of ${r.profileId}`,
    `  state    ${state.join('  ') || '- (nothing said: nothing is granted)'}`,
    '  history (oldest first)',
    ...r.history.map((e) => `    ${e.at}  ${e.key.padEnd(22)} ${e.status.padEnd(9)} ${e.source}${e.since ? ` (since ${e.since})` : ''}`),
  ].join('\n');
}
