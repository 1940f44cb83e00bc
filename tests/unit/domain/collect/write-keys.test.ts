import { describe, expect, it } from 'vitest';
import { hashWriteKey, makeWriteKeyVerifier, writeKeyFromAuthorization, writeKeyFromBody } from '../../../../functions/domain/collect/write-keys.ts';

const source = { schemaVersion: 1 as const, sourceId: 'src-1', name: 'web', keyHash: hashWriteKey('good-write-key'), createdAt: '', disabled: false };

describe('write keys', () => {
  it('reads a key from HTTP Basic or from a body, and nothing else', () => {
    // Assess
    expect(writeKeyFromAuthorization(`Basic ${Buffer.from('good-write-key:').toString('base64')}`)).toBe('good-write-key');
    expect(writeKeyFromAuthorization('Bearer good-write-key')).toBeUndefined();
    expect(writeKeyFromBody({ writeKey: 'good-write-key', batch: [] })).toBe('good-write-key');
    expect([writeKeyFromBody({ writeKey: 'short' }), writeKeyFromBody({ writeKey: 42 }), writeKeyFromBody(['good-write-key']), writeKeyFromBody(null)]).toEqual([undefined, undefined, undefined, undefined]);
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
