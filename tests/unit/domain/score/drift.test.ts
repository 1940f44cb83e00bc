import { describe, expect, it } from 'vitest';
import { driftOfProfiles, driftReference, measureDrift, psiBand, withDriftReference } from '../../../../functions/domain/score/drift.ts';
import { parseModel } from '../../../../functions/domain/score/artifact.ts';
import { trainLogistic } from '../../../../functions/domain/score/train.ts';
import { buyer, churnModel, churnRows } from '../../../helpers/scoring-fixtures.ts';

const model = withDriftReference(churnModel, churnRows);

describe('drift', () => {
  it('stores the training distribution in the artifact (validated, additive)', () => {
    expect(parseModel(JSON.stringify(model)).drift?.features).toHaveLength(model.features.length);
    const recency = model.drift!.features.find((f) => f.name === 'recency_days')!;
    expect(recency.shares.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    expect(recency.edges.length).toBeGreaterThan(5);
  });

  it('reads zero on the training rows and shifted when recency grows by a year', () => {
    // Act
    const same = measureDrift(model, churnRows)!;
    const later = measureDrift(model, churnRows.map((r) => ({ ...r, recency_days: r.recency_days + 365 })))!;
    // Assess
    expect(same.scorePsi).toBeCloseTo(0, 12);
    expect(same.features.every((f) => Math.abs(f.psi) < 1e-12)).toBe(true);
    expect(later.features[0].name).toBe('recency_days');
    expect(psiBand(later.features[0].psi)).toBe('shifted');
    expect(later.scorePsi).toBeGreaterThan(0.25);
    expect(later.features.find((f) => f.name === 'frequency')!.psi).toBeCloseTo(0, 12);
  });

  it('puts categorical values not seen in training in their own bin', () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ channel: i % 2 ? 'web' : 'email', n: i }));
    const m = trainLogistic({ model: 'x', version: 'v', trainingData: { source: 's', from: '2011-01-01T00:00:00.000Z', to: '2011-02-01T00:00:00.000Z', rows: 100 } }, [{ name: 'channel', kind: 'categorical', label: 'channel' }, { name: 'n', kind: 'numeric', label: 'n' }], rows, rows.map((_, i) => i % 2));
    const ref = driftReference(m, rows);
    expect(ref.features[0].shares).toEqual([0, 0.5, 0.5]);
    const report = measureDrift({ ...m, drift: ref }, rows.map((r) => ({ ...r, channel: 'sms' })))!;
    expect(report.features[0]).toMatchObject({ name: 'channel' });
    expect(report.features[0].psi).toBeGreaterThan(1);
  });

  it('measures profiles as scoring reads them, and nothing for a model without a reference', () => {
    const profiles = [buyer('u-a', { '2011-02': 1, '2011-10': 1 }), buyer('u-b', { '2011-06': 2 })];
    const reports = driftOfProfiles([model, churnModel], profiles, () => new Date('2011-12-01T00:00:00Z'));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ model: 'churn', rows: 2 });
  });
});
