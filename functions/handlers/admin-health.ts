/**
 * Admin API, pipeline health: GET /admin/v1/health — events accepted per minute over the
 * last hour, failed events by reason (today and yesterday, UTC), consumer iterator age.
 * Sources: CloudWatch in AWS, the raw stream locally (functions/adapters/observe-pipeline-metrics.ts);
 * the failed-events bucket's keys in both.
 */
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { createServices } from '../shared/services.ts';
import { adminRouter } from '../shared/admin-router.ts';
import { pipelineHealth } from '../domain/observe/health.ts';
import type { FailedEventCounts, PipelineMetrics } from '../domain/observe/ports.ts';

export function makeAdminHealth(deps: { metrics: PipelineMetrics; failed: FailedEventCounts; now: () => Date }) {
  return adminRouter({ 'GET /admin/v1/health': () => pipelineHealth(deps) });
}

const env = loadEnv('admin-health');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
export const adminHealth = makeAdminHealth({
  metrics: services.pipelineMetrics({ source: env.HEALTH_SOURCE, rawStream: env.RAW_STREAM_NAME, consumers: env.CONSUMER_FUNCTIONS }),
  failed: services.failedEventCounts(env.FAILED_EVENTS_BUCKET),
  now: () => new Date(),
});
export const handler = withPowertools(adminHealth);
