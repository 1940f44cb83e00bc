import { describe, expect, it } from 'vitest';
import { formatModelListing, listModel, promoteModel, rollback } from '../../../cli/commands/models.ts';
import { publishModel } from '../../../functions/domain/shared/model-registry.ts';
import { MemoryModelRegistry } from '../../helpers/memory-model-registry.ts';

async function registryWithTwo() {
  const registry = new MemoryModelRegistry();
  for (const [i, auc] of [[1, 0.71], [2, 0.74]] as const) {
    await publishModel(registry, { name: 'churn', body: `{"v":${i}}`, sha256: `${i}`.repeat(64), at: new Date(Date.UTC(2026, 10, i)), summary: { family: 'logistic', rows: 100 * i, holdout_roc_auc: auc } });
  }
  return registry;
}

describe('sightline models', () => {
  it('lists versions newest first, marking the current one and the one a rollback restores', async () => {
    // Prepare
    const registry = await registryWithTwo();
    // Act
    const text = formatModelListing(await listModel(registry, 'churn'));
    // Assess
    const lines = text.split('\n');
    expect(lines[0]).toBe('churn: current 20261102T000000Z-22222222, rollback restores 20261101T000000Z-11111111');
    expect(lines[1]).toMatch(/^\* 20261102T000000Z-22222222 .*family logistic, rows 200, holdout_roc_auc 0\.7400$/);
    expect(lines[2]).toMatch(/^< 20261101T000000Z-11111111 /);
  });

  it('rolls back to the previous version, promotes a named one, and refuses an unknown one', async () => {
    const registry = await registryWithTwo();
    expect((await rollback(registry, 'churn')).version).toBe('20261101T000000Z-11111111');
    expect((await promoteModel(registry, 'churn', '20261102T000000Z-22222222')).version).toBe('20261102T000000Z-22222222');
    await expect(promoteModel(registry, 'churn', 'nope')).rejects.toThrow(/no version nope/);
    expect(formatModelListing(await listModel(registry, 'clv'))).toBe('clv: no versions published (sightline train clv)');
  });
});
