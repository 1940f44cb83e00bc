/**
 * Module-scope Powertools singletons (one per container, reused across invocations).
 * The service name comes from POWERTOOLS_SERVICE_NAME, which the construct sets per function.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const logger = new Logger();
export const metrics = new Metrics();
export const tracer = new Tracer();
