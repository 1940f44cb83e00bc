// Handlers parse their environment at import (cold start). Unit tests import them, so give
// every function's required variables a value; tests that need real ones set their own.
const defaults: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  SOURCES_TABLE_NAME: 'test-sources',
  RAW_STREAM_NAME: 'test-raw',
  CLEAN_STREAM_NAME: 'test-clean',
  FAILED_EVENTS_BUCKET: 'test-failed',
  IDEMPOTENCY_TABLE_NAME: 'test-idempotency',
  PROFILES_TABLE_NAME: 'test-profiles',
  CAMPAIGNS_TABLE_NAME: 'test-campaigns',
  MODELS_BUCKET: 'test-models',
  INTERACTIONS_BUCKET: 'test-interactions',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
};
for (const [k, v] of Object.entries(defaults)) process.env[k] ??= v;
