/**
 * The one middleware bundle every handler uses, in the order STYLE.md fixes:
 * tracer → logger context (keys reset per invocation) → metrics (cold start metric).
 */
import middy, { type MiddyfiedHandler } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { logger, metrics, tracer } from './powertools.ts';

export function withPowertools<E, R>(inner: (event: E, context: Context) => Promise<R>): MiddyfiedHandler<E, R> {
  return middy<E, R>()
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .handler(inner);
}
