/**
 * One-click unsubscribe (RFC 8058): the token in the URL is the only authentication (the
 * mail client's POST carries no cookies or credentials), so it is verified first; then, at
 * once, the address goes on the suppression list (reason `unsubscribe`: the next campaign
 * skips the person with reason `unsubscribed`) and the person's consent for marketing on that
 * channel is withdrawn on the profile (a consent-history entry, source `unsubscribe`:
 * functions/domain/privacy/consent.ts), and the send the link came from records it
 * (`unsubscribedAt`, counted per arm by the campaign report). Idempotent: a second click changes nothing.
 */
import { InvalidRequestError, NotFoundError } from '../shared/errors.ts';
import type { ProfileStore } from '../profiles/ports.ts';
import { addressFor, consentKeys, marketingConsent } from './eligibility.ts';
import { withConsent } from '../privacy/consent.ts';
import type { FeedbackStore, SuppressionList } from './ports.ts';
import { verifyUnsubscribeToken, type UnsubscribePayload } from './unsubscribe.ts';

export interface UnsubscribeDeps {
  secret: string | readonly string[];
  profiles: Pick<ProfileStore, 'getProfile' | 'saveProfile'>;
  suppressions: SuppressionList;
  /** The send records: the campaign's report counts unsubscribes per arm. */
  records: Pick<FeedbackStore, 'recordEvent'>;
  now: () => Date;
}

export function readToken(token: string | undefined, secret: string | readonly string[]): UnsubscribePayload {
  const v = token ? verifyUnsubscribeToken(secret, token) : { ok: false as const, reason: 'malformed' as const };
  if (!v.ok) throw new InvalidRequestError('invalid_token', [{ field: 'token', rule: `must be the unsubscribe token of a Sightline message (${v.reason})` }]);
  return v.payload;
}

export async function unsubscribePerson(token: string | undefined, deps: UnsubscribeDeps): Promise<{ campaignId: string; channel: string; suppressed: boolean }> {
  const payload = readToken(token, deps.secret);
  const at = deps.now().toISOString();
  const key = consentKeys(payload.channel).combined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const profile = await deps.profiles.getProfile(payload.personId);
    if (!profile) throw new NotFoundError('this person is no longer known to us; nothing more will be sent');
    const address = addressFor(profile, payload.channel);
    if (address) await deps.suppressions.add({ channel: payload.channel, address, reason: 'unsubscribe', at });
    // First click wins (if_not_exists); a record that is not there (a proof, an erased send) is left alone.
    if (attempt === 0) await deps.records.recordEvent({ campaignId: payload.campaignId, personId: payload.personId }, { type: 'unsubscribe', at, eventId: `unsubscribe:${payload.channel}` });
    if (marketingConsent(profile, payload.channel) === 'withdrawn') return { campaignId: payload.campaignId, channel: payload.channel, suppressed: !!address };
    const next = { ...withConsent(profile, [{ key, status: 'withdrawn', at, source: 'unsubscribe' }]), version: profile.version + 1, updatedAt: at };
    if (await deps.profiles.saveProfile(next, profile.version)) return { campaignId: payload.campaignId, channel: payload.channel, suppressed: !!address };
  }
  throw new Error('the profile kept changing; the suppression entry is written, consent will be retried by the next click');
}
