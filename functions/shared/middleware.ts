/**
 * The one middleware bundle every handler uses, in the order STYLE.md fixes:
 * tracer → logger context (keys reset per invocation) → metrics (cold start metric).
 *
 * Metrics are published after the handler only when it stored some. Powertools (2.36)
 * warns "No application metrics to publish" on every empty publish, and checks that before
 * it checks POWERTOOLS_METRICS_DISABLED, so each invocation that adds no metric (an
 * authorizer refusal, a batch that threw and is retried) printed that line, ~1,500 of them
 * in a local run, burying what matters; in Lambda it is the same noise in the logs. The cold
 * start metric is unaffected (Powertools publishes it on its own, in `before`).
 */
import middy, { type MiddyfiedHandler } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { logger, metrics, tracer } from './powertools.ts';

/** What publishing does, without the empty-buffer warning: flush, and never carry dimensions or metadata over. */
const publishIfAny = async () => {
  if (metrics.hasStoredMetrics()) return void metrics.publishStoredMetrics();
  metrics.clearDimensions();
  metrics.clearMetadata();
};

export function withPowertools<E, R>(inner: (event: E, context: Context) => Promise<R>): MiddyfiedHandler<E, R> {
  return middy<E, R>()
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({ ...logMetrics(metrics, { captureColdStartMetric: true }), after: publishIfAny, onError: publishIfAny })
    .handler(inner);
}
