import { describe, expect, it } from 'vitest';
import { profileSchema, type Profile } from '../../../schemas/profile.ts';
import type { Services } from '../../../functions/shared/services.ts';
import { parseClusterModel } from '../../../functions/domain/campaigns/clusters.ts';
import { clusterCommand, formatClusters } from '../../../cli/commands/clusters.ts';
import { MemoryProfileStore } from '../../helpers/memory-profile-store.ts';
import { MemoryModelRegistry } from '../../helpers/memory-model-registry.ts';

const AS_OF = new Date('2011-12-10T00:00:00Z');

function profile(id: string, orders: number, revenue: number, daysAgo: number, extra: Partial<Profile> = {}): Profile {
  return profileSchema.parse({
    schemaVersion: 1,
    profileId: id,
    version: 2,
    createdAt: '2011-01-01T00:00:00Z',
    updatedAt: '2011-01-01T00:00:00Z',
    identities: {},
    aggregates: { orders, revenue, items: orders * 10, lastOrderAt: new Date(AS_OF.getTime() - daysAgo * 86_400_000).toISOString(), categories: { kitchen: 3 } },
    ...extra,
  });
}

function fixture() {
  const store = new MemoryProfileStore();
  const registry = new MemoryModelRegistry();
  const add = (p: Profile) => store.profiles.set(p.profileId, p);
  for (let i = 0; i < 20; i++) add(profile(`big-${String(i).padStart(2, '0')}`, 30 + i, 9000 + 100 * i, 2 + (i % 3)));
  for (let i = 0; i < 20; i++) add(profile(`small-${String(i).padStart(2, '0')}`, 1, 20 + i, 300 + i));
  add(profile('never', 0, 0, 0, { tags: { cluster: 'c9-stale', lifecycle: 'lead' } }));
  add(profile('merged', 5, 50, 5, { mergedInto: 'big-00' }));
  const services = { profileStore: () => store, modelRegistry: () => registry } as unknown as Services;
  return { store, registry, services };
}

describe('clusterCommand', () => {
  it('publishes the model, tags each buyer with its cluster by a versioned write, and drops a stale tag', async () => {
    // Prepare
    const { store, registry, services } = fixture();

    // Act
    const r = await clusterCommand({ services, profilesTable: 't', modelsBucket: 'b', asOf: AS_OF, seed: 1, k: 2 });

    // Assess
    expect(r).toMatchObject({ k: 2, read: 42, rows: 40, skipped: 2, tagged: 40, untagged: 1, conflicts: 0, current: true });
    const pointer = await registry.pointer('clusters');
    const model = parseClusterModel(await registry.load('clusters', pointer!.version));
    expect(model.sizes).toEqual([20, 20]);
    const big = store.profiles.get('big-00')!;
    const small = store.profiles.get('small-00')!;
    expect(big.version).toBe(3);
    expect(model.names).toContain(big.tags.cluster);
    expect(small.tags.cluster).not.toBe(big.tags.cluster);
    expect(store.profiles.get('never')!.tags).toEqual({ lifecycle: 'lead' });
    expect(store.profiles.get('merged')!.version).toBe(2);
    expect(formatClusters(r)).toContain(`${model.names[0]}`);
  });

  it('writes nothing the second time, and leaves a profile that changed since the scan for the next run', async () => {
    // Prepare
    const { store, services } = fixture();
    await clusterCommand({ services, profilesTable: 't', modelsBucket: 'b', asOf: AS_OF, seed: 1, k: 2 });
    const writes = store.writes;

    // Act
    const again = await clusterCommand({ services, profilesTable: 't', modelsBucket: 'b', asOf: AS_OF, seed: 1, k: 2 });
    store.profiles.set('big-00', { ...store.profiles.get('big-00')!, tags: {} });
    store.concurrentWriteAt = 1;
    const raced = await clusterCommand({ services, profilesTable: 't', modelsBucket: 'b', asOf: AS_OF, seed: 1, k: 2 });

    // Assess
    expect(again).toMatchObject({ tagged: 0, untagged: 0, unchanged: 41, conflicts: 0 });
    expect(store.writes).toBe(writes);
    expect(raced).toMatchObject({ tagged: 0, conflicts: 1 });
    expect(store.profiles.get('big-00')!.tags.cluster).toBeUndefined();
  });
});
