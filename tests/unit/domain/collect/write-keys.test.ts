import { describe, expect, it } from 'vitest';
import { hashWriteKey, makeWriteKeyVerifier, sourceIdOfKey, writeKeyFromAuthorization, writeKeyFromBody, writeKeyFromQuery } from '../../../../functions/domain/collect/write-keys.ts';
import { UnauthorizedError, UnavailableError } from '../../../../functions/domain/shared/errors.ts';

const source = { schemaVersion: 1 as const, sourceId: 'src-1', name: 'web', keyHash: hashWriteKey('good-write-key'), createdAt: '', disabled: false };

describe('write keys', () => {
  it('reads a key from HTTP Basic or from a body, and nothing else', () => {
    // Assess
    expect(writeKeyFromAuthorization(`Basic ${Buffer.from('good-write-key:').toString('base64')}`)).toBe('good-write-key');
    expect(writeKeyFromAuthorization('Bearer good-write-key')).toBeUndefined();
    expect(writeKeyFromBody({ writeKey: 'good-write-key', batch: [] })).toBe('good-write-key');
    expect([writeKeyFromBody({ writeKey: 'short' }), writeKeyFromBody({ writeKey: 42 }), writeKeyFromBody(['good-write-key']), writeKeyFromBody(null)]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('reads a key from the query (RudderStack: beacon and sourceConfig), by the same rule as the body', () => {
    // Assess
    expect(writeKeyFromQuery({ writeKey: 'good-write-key', p: 'npm' })).toBe('good-write-key');
    expect([writeKeyFromQuery({ writeKey: 'short' }), writeKeyFromQuery({ p: 'npm' }), writeKeyFromQuery(undefined)]).toEqual([undefined, undefined, undefined]);
  });

  it('finds the source of a key, or says why not: none, unknown or disabled is 401, a store failure 503', async () => {
    // Prepare
    const disabled = { ...source, sourceId: 'src-off', keyHash: hashWriteKey('disabled-write-key'), disabled: true };
    const verify = makeWriteKeyVerifier({ findByKeyHash: async (h) => [source, disabled].find((s) => s.keyHash === h) });
    const down = makeWriteKeyVerifier({ findByKeyHash: async () => Promise.reject(new Error('table down')) });
    // Act
    const found = await sourceIdOfKey('good-write-key', verify);
    const refusals = await Promise.all([sourceIdOfKey(undefined, verify), sourceIdOfKey('wrong-write-key', verify), sourceIdOfKey('disabled-write-key', verify), sourceIdOfKey('good-write-key', down)].map((p) => p.catch((e: Error) => e)));
    // Assess
    expect(found).toBe('src-1');
    expect(refusals.map((e) => (e as Error).constructor)).toEqual([UnauthorizedError, UnauthorizedError, UnauthorizedError, UnavailableError]);
    expect((refusals[0] as Error).message).toContain('?writeKey=');
    expect((refusals[1] as Error).message).toBe((refusals[2] as Error).message); // unknown and disabled look alike
  });

  it('caches answers, refusals included, for the TTL, then asks the store again', async () => {
    // Prepare
    let now = 0;
    const asked: string[] = [];
    const verify = makeWriteKeyVerifier({ findByKeyHash: async (h) => (asked.push(h), h === source.keyHash ? source : undefined) }, { ttlMs: 1000, now: () => now });
    // Act
    const first = [await verify('good-write-key'), await verify('wrong-write-key'), await verify('good-write-key'), await verify('wrong-write-key')];
    now = 1001;
    await verify('good-write-key');
    // Assess
    expect(first).toEqual([{ ok: true, sourceId: 'src-1' }, { ok: false, reason: 'unknown' }, { ok: true, sourceId: 'src-1' }, { ok: false, reason: 'unknown' }]);
    expect(asked).toHaveLength(3);
  });

  it('holds at most maxEntries keys, and never caches a store failure', async () => {
    // Prepare
    let fail = true;
    let asks = 0;
    const verify = makeWriteKeyVerifier(
      {
        findByKeyHash: async () => {
          asks++;
          if (fail) throw new Error('down');
          return undefined;
        },
      },
      { maxEntries: 2 },
    );
    // Act
    await expect(verify('key-aaaaaaaa')).rejects.toThrow('down');
    fail = false;
    for (const k of ['key-aaaaaaaa', 'key-bbbbbbbb', 'key-cccccccc', 'key-aaaaaaaa']) await verify(k);
    // Assess: the failure was not cached, and key-aaaaaaaa was evicted by key-cccccccc.
    expect(asks).toBe(5);
  });
});
