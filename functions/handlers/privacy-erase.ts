/**
 * POST /v1/privacy/{id}/erase: starts the Erasure state machine for the person (or joins the
 * execution already running for them) and answers 202 with the job; once the erasure has
 * completed, 200 with its receipt (functions/domain/privacy/erasure.ts requestErasure).
 * IAM-authorised in AWS. The execution's input is the job key only: no id travels through
 * Step Functions' history.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { loadEnv } from '../shared/env.ts';
import { httpHandler, json, pathParameter } from '../shared/http.ts';
import { withPowertools } from '../shared/middleware.ts';
import { createServices } from '../shared/services.ts';
import { checkPrivacyId, requestErasure } from '../domain/privacy/erasure.ts';
import type { ErasureJobStore, ErasureWorkflow } from '../domain/privacy/ports.ts';

export function makePrivacyErase(deps: { jobs: ErasureJobStore; workflow: ErasureWorkflow }) {
  return httpHandler(async (event: Pick<APIGatewayProxyEventV2, 'pathParameters' | 'rawPath'>) => {
    const r = await requestErasure(checkPrivacyId(pathParameter(event, 'id')), { ...deps, now: () => new Date() });
    return json(r.receipt ? 200 : 202, r);
  });
}

const env = loadEnv('privacy-erase');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
export const privacyErase = makePrivacyErase({ jobs: services.erasureJobs(env.PRIVACY_TABLE_NAME), workflow: services.erasureWorkflow(env.ERASURE_STATE_MACHINE_ARN) });
export const handler = withPowertools(privacyErase);
