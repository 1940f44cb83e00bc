/**
 * GET /openapi.json: the OpenAPI 3.1 document of every route (schemas/openapi.ts), built once
 * per cold start from the zod schemas — the same bytes as the committed schemas/openapi.json.
 * Public: it describes the API and holds no data.
 */
import { withPowertools } from '../shared/middleware.ts';
import { httpHandler } from '../shared/http.ts';
import { openApiText } from '../../schemas/openapi.ts';

const body = openApiText();
export const getOpenApi = httpHandler(async () => ({ statusCode: 200, headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' }, body }));
export const handler = withPowertools(getOpenApi);
