import { describe, expect, it } from 'vitest';
import { updateProfiles, updateProfilesWithRetry } from '../../../../functions/domain/profiles/update-profiles.ts';
import { partitionKeyOfClean } from '../../../../functions/domain/clean/clean-batch.ts';
import { RULE_SET_ID, RULE_SET_V1 } from '../../../../functions/domain/tag/tags.ts';
import type { CleanEvent } from '../../../../schemas/clean-event.ts';
import { cleanEvent } from '../../../helpers/events.ts';
import { MemoryProfileStore } from '../../../helpers/memory-profile-store.ts';

const deps = (store: MemoryProfileStore) => ({ store, ruleSet: RULE_SET_V1, ruleSetId: RULE_SET_ID, now: () => new Date('2026-11-22T12:00:00Z'), clock: 'wall' as const });
const at = (m: number) => new Date(Date.parse('2026-11-22T10:00:00Z') + m * 60_000).toISOString();
/** A visitor's first session: three anonymous views, the login, two more views. */
function firstSession(): CleanEvent[] {
  const anon = (m: number) => cleanEvent({ anonymousId: 'browser-1', timestamp: at(m), receivedAt: at(m) });
  const known = (m: number, over: Partial<CleanEvent> = {}) => cleanEvent({ anonymousId: 'browser-1', userId: 'ada', timestamp: at(m), receivedAt: at(m), ...over });
  return [anon(0), anon(1), anon(2), known(3, { type: 'identify', event: undefined, emailHash: 'e'.repeat(64) }), known(4), known(5)];
}

describe('a first session with its login, in one batch', () => {
  it('keeps the session on one shard key: the browser, before and after the login', () => {
    expect(new Set(firstSession().map(partitionKeyOfClean))).toEqual(new Set(['browser-1']));
  });

  it('writes the known profile only: the anonymous one, never stored, needs no frozen item', async () => {
    // Act
    const store = new MemoryProfileStore();
    const report = await updateProfiles(firstSession(), deps(store));
    // Assess
    expect([...store.profiles.keys()]).toEqual(['u-ada']);
    expect(store.profiles.get('u-ada')!.aggregates.events).toBe(6);
    expect(store.identities.get('anon#browser-1')).toBe('u-ada');
    expect(report.profilesWritten).toBe(1);
    expect(report.profileIds).toEqual(['u-ada']);
  });

  it('a retried batch and the next anonymous session reach the known profile, each event counted once', async () => {
    const store = new MemoryProfileStore();
    const events = firstSession();
    await updateProfiles(events, deps(store));
    // Act: the batch again (a retry), then a later anonymous session of the same browser
    const retry = await updateProfiles(events, deps(store));
    const later = [10, 11].map((m) => cleanEvent({ anonymousId: 'browser-1', timestamp: at(60 * 24 + m), receivedAt: at(60 * 24 + m) }));
    await updateProfiles(later, deps(store));
    // Assess
    expect(retry.duplicates).toBe(6);
    expect([...store.profiles.keys()]).toEqual(['u-ada']);
    expect(store.profiles.get('u-ada')!.aggregates.events).toBe(8);
  });

  it('a crash before the known profile is written: the retry counts every event once', async () => {
    const store = new MemoryProfileStore();
    store.failSaveAt = 1;
    await expect(updateProfiles(firstSession(), deps(store))).rejects.toThrow();
    await updateProfilesWithRetry(firstSession(), deps(store));
    expect(store.profiles.get('u-ada')!.aggregates.events).toBe(6);
    expect([...store.profiles.values()].filter((p) => !p.mergedInto).reduce((n, p) => n + p.aggregates.events, 0)).toBe(6);
  });

  it('still freezes an absorbed profile that was stored before, or that only an alias joined', async () => {
    // A stored anonymous profile from an earlier batch, then the login: frozen with mergedInto.
    const store = new MemoryProfileStore();
    const [a0, a1, a2, ...rest] = firstSession();
    await updateProfiles([a0, a1, a2], deps(store));
    await updateProfiles(rest, deps(store));
    expect(store.profiles.get('a-browser-1')!.mergedInto).toBe('u-ada');
    // alias joins a new anonymous profile without an identity link for it: frozen too.
    const s2 = new MemoryProfileStore();
    const views = [0, 1].map((m) => cleanEvent({ anonymousId: 'browser-2', timestamp: at(m), receivedAt: at(m) }));
    await updateProfiles([...views, cleanEvent({ type: 'alias', event: undefined, userId: 'bo', previousId: 'browser-2', timestamp: at(2), receivedAt: at(2) })], deps(s2));
    expect(s2.profiles.get('a-browser-2')!.mergedInto).toBe('u-bo');
  });
});
