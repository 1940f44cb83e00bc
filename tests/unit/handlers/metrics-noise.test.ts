/**
 * The middleware bundle publishes metrics without the "No application metrics to publish"
 * warning Powertools prints for every invocation that stored none (issue 10, finding 9:
 * ~1,500 such lines in a local run), and still publishes what an invocation stored.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { withPowertools } from '../../../functions/shared/middleware.ts';
import { metrics } from '../../../functions/shared/powertools.ts';

const context = { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 1000 } as unknown as Context;

/** Everything written to stdout and stderr while `run` runs (Powertools writes through its own Console). */
async function output(run: () => Promise<unknown>): Promise<string> {
  const chunks: string[] = [];
  const capture = (chunk: unknown) => void chunks.push(String(chunk));
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c) => (capture(c), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c) => (capture(c), true));
  try {
    await run().catch(() => undefined);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return chunks.join('');
}

afterEach(() => metrics.clearMetrics());

describe('withPowertools: metrics', () => {
  it('prints nothing for invocations that store no metric, returning or throwing', async () => {
    // Prepare
    const quiet = withPowertools(async () => 'ok');
    const failing = withPowertools(async () => {
      throw new Error('retry me');
    });
    // Act
    const text = await output(async () => {
      for (let i = 0; i < 5; i++) await quiet({}, context);
      await failing({}, context);
    });
    // Assess
    expect(text).not.toMatch(/No application metrics to publish/);
  });

  it('still publishes (flushes) what an invocation stored', async () => {
    // Prepare
    const counting = withPowertools(async () => {
      metrics.addMetric('Things', MetricUnit.Count, 1);
      expect(metrics.hasStoredMetrics()).toBe(true);
    });
    // Act
    await counting({}, context);
    // Assess
    expect(metrics.hasStoredMetrics()).toBe(false);
  });
});
