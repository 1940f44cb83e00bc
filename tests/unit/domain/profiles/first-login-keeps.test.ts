import { describe, expect, it } from 'vitest';
import { updateProfiles } from '../../../../functions/domain/profiles/update-profiles.ts';
import { RULE_SET_ID, RULE_SET_V1 } from '../../../../functions/domain/tag/tags.ts';
import { cleanEvent } from '../../../helpers/events.ts';
import { MemoryProfileStore } from '../../../helpers/memory-profile-store.ts';

const deps = (store: MemoryProfileStore) => ({ store, ruleSet: RULE_SET_V1, ruleSetId: RULE_SET_ID, now: () => new Date('2026-11-22T12:00:00Z'), clock: 'wall' as const });
const at = (m: number) => new Date(Date.parse('2026-11-22T10:00:00Z') + m * 60_000).toISOString();

describe('a login absorbing an anonymous profile in the same batch (analytics.js: page, then identify)', () => {
  it('keeps the identify traits and the anonymous id on the known profile', async () => {
    const store = new MemoryProfileStore();
    await updateProfiles(
      [
        cleanEvent({ type: 'page', anonymousId: 'browser-1', timestamp: at(0), receivedAt: at(0) }),
        cleanEvent({ type: 'identify', event: undefined, anonymousId: 'browser-1', userId: 'ada', traits: { name: 'Ada', email: 'ada@example.com' }, timestamp: at(1), receivedAt: at(1) }),
        cleanEvent({ anonymousId: 'browser-1', userId: 'ada', timestamp: at(2), receivedAt: at(2) }),
      ],
      deps(store),
    );
    const ada = store.profiles.get('u-ada')!;
    expect(ada.traits).toMatchObject({ name: 'Ada', email: 'ada@example.com' });
    expect(ada.identities.anonymousIds).toEqual(['browser-1']);
    expect(ada.aggregates.events).toBe(3);
  });
});
