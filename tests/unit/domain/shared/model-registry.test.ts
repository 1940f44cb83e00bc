import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { CachedModel, newModelVersion, publishModel, rollbackModel, UnknownModelVersionError } from '../../../../functions/domain/shared/model-registry.ts';
import { MemoryModelRegistry } from '../../../helpers/memory-model-registry.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const publish = (r: MemoryModelRegistry, body: string, at: string, promote = true) =>
  publishModel(r, { name: 'churn', body, sha256: sha(body), at: new Date(at), promote });

describe('model registry', () => {
  it('names versions by time and content, so they sort by time', () => {
    // Act
    const v = newModelVersion(new Date('2011-12-09T12:00:00.123Z'), 'abcdef0123456789');
    // Assess
    expect(v).toBe('20111209T120000Z-abcdef01');
    expect(newModelVersion(new Date('2011-12-10T00:00:00Z'), '00') > v).toBe(true);
  });

  it('publishes without switching traffic when told not to promote, then promotes and rolls back', async () => {
    // Prepare
    const r = new MemoryModelRegistry();
    const a = await publish(r, '{"a":1}', '2026-01-01T00:00:00Z');
    const b = await publish(r, '{"b":2}', '2026-02-01T00:00:00Z', false);
    // Assess: b is stored but a is still current
    expect((await r.pointer('churn'))?.version).toBe(a.info.version);
    // Act
    await r.promote('churn', b.info.version, '2026-02-02T00:00:00Z');
    const back = await rollbackModel(r, 'churn', new Date('2026-02-03T00:00:00Z'));
    // Assess
    expect(back.version).toBe(a.info.version);
    expect((await r.list('churn')).map((v) => v.version)).toEqual([a.info.version, b.info.version]);
    await expect(r.promote('churn', 'nope', '2026-01-01T00:00:00Z')).rejects.toBeInstanceOf(UnknownModelVersionError);
  });

  it('refuses model names that would escape their prefix', async () => {
    await expect(publishModel(new MemoryModelRegistry(), { name: '../x', body: '{}', sha256: sha('{}'), at: new Date() })).rejects.toThrow(/model name/);
  });

  it('CachedModel re-reads the pointer once per ttl and loads an artifact only when the version changes', async () => {
    // Prepare
    const r = new MemoryModelRegistry();
    let now = 0;
    const cached = new CachedModel(r, 'churn', (b) => JSON.parse(b) as Record<string, number>, 1_000, () => now);
    expect(await cached.get()).toBeUndefined();
    await publish(r, '{"a":1}', '2026-01-01T00:00:00Z');
    // Act + Assess: within the ttl the empty answer is kept; after it, the new model is loaded once
    expect(await cached.get()).toBeUndefined();
    now = 1_000;
    expect((await cached.get())?.model).toEqual({ a: 1 });
    now = 5_000;
    await cached.get();
    expect(r.loads).toBe(1);
    await publish(r, '{"b":2}', '2026-02-01T00:00:00Z');
    expect((await cached.get())?.model).toEqual({ a: 1 });
    now = 6_000;
    expect((await cached.get())?.model).toEqual({ b: 2 });
    expect(r.loads).toBe(2);
  });

  it('keeps serving the loaded version when a newer artifact does not parse', async () => {
    // Prepare
    const r = new MemoryModelRegistry();
    let now = 0;
    const cached = new CachedModel(r, 'churn', (b) => JSON.parse(b) as unknown, 10, () => now);
    await publish(r, '{"a":1}', '2026-01-01T00:00:00Z');
    await cached.get();
    await publish(r, 'not json', '2026-02-01T00:00:00Z');
    now = 100;
    // Act + Assess
    expect((await cached.get())?.model).toEqual({ a: 1 });
    const fresh = new CachedModel(r, 'churn', (b) => JSON.parse(b) as unknown);
    await expect(fresh.get()).rejects.toThrow();
  });
});
