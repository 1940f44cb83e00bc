/**
 * The OpenAPI 3.1 document of Sightline's HTTP APIs, built from the zod schemas with
 * z.toJSONSchema (JSON Schema 2020-12, which OpenAPI 3.1 uses as is): the event API (Segment
 * tracking spec, write-key Basic auth), its IAM read routes, the public unsubscribe routes,
 * and the admin API (schemas/api/admin-routes.ts; a JWT from the Cognito user pool in AWS,
 * the local admin token on loopback). `npx tsx schemas/generate-openapi.ts` writes it to
 * schemas/openapi.json; GET /openapi.json serves the same document (functions/handlers/get-openapi.ts).
 */
import { z } from 'zod';
import { ADMIN_ROUTES } from './api/admin-routes.ts';
import { adminErrorSchema } from './api/admin.ts';
import { aliasEventSchema, batchRequestSchema, groupEventSchema, identifyEventSchema, pageEventSchema, screenEventSchema, trackEventSchema } from './events.ts';

type Json = Record<string, unknown>;

const schemaOf = (s: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(s, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as Json;
const jsonContent = (schema: Json) => ({ 'application/json': { schema } });
const errorResponse = (description: string) => ({ description, content: jsonContent(schemaOf(adminErrorSchema, 'output')) });
const pathParams = (path: string) => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 300 } }));

const acceptedSchema = z.object({
  success: z.literal(true),
  accepted: z.number().int().describe('events accepted (each is counted once or kept with its reason)'),
  rejected: z.array(z.object({ index: z.number().int().optional(), field: z.string().optional(), rule: z.string().optional() }).loose()).optional(),
});

const EVENT_BODIES: Record<string, z.ZodType> = {
  identify: identifyEventSchema,
  track: trackEventSchema,
  page: pageEventSchema,
  screen: screenEventSchema,
  group: groupEventSchema,
  alias: aliasEventSchema,
  batch: batchRequestSchema,
};

/** Every route the CDK app serves, `METHOD /path` → operation. */
export function buildOpenApi(): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const add = (method: string, path: string, op: Json) => ((paths[path] ??= {})[method.toLowerCase()] = { ...(pathParams(path).length ? { parameters: pathParams(path) } : {}), ...op });

  for (const [route, body] of Object.entries(EVENT_BODIES)) {
    add('POST', `/v1/${route}`, {
      tags: ['events'],
      summary: `Segment ${route}`,
      security: [{ writeKey: [] }],
      requestBody: { required: true, content: jsonContent(schemaOf(body, 'input')) },
      responses: { 200: { description: 'accepted', content: jsonContent(schemaOf(acceptedSchema, 'output')) }, 400: errorResponse('invalid: every wrong field named'), 401: errorResponse('no write key'), 403: errorResponse('wrong write key'), 413: errorResponse('too large') },
    });
  }
  // The browser SDKs' short paths (analytics.js posts /v1/t, /v1/i, …, the write key in the body) and their settings document.
  const SHORT: Record<string, string> = { t: 'track', i: 'identify', p: 'page', s: 'screen', g: 'group', a: 'alias', b: 'batch' };
  for (const [short, route] of Object.entries(SHORT)) {
    add('POST', `/v1/${short}`, {
      tags: ['events'],
      summary: `Segment ${route} (browser SDK path; the write key in the body as writeKey)`,
      requestBody: { required: true, content: { 'text/plain': { schema: schemaOf(EVENT_BODIES[route], 'input') }, ...jsonContent(schemaOf(EVENT_BODIES[route], 'input')) } },
      responses: { 200: { description: 'accepted', content: jsonContent(schemaOf(acceptedSchema, 'output')) }, 400: errorResponse('invalid'), 401: errorResponse('no write key') },
    });
  }
  add('POST', '/v1/m', { tags: ['events'], summary: 'SDK telemetry: not collected (404; the settings document turns it off)', responses: { 404: errorResponse('not collected') } });
  add('GET', '/v1/projects/{writeKey}/settings', { tags: ['events'], summary: 'The settings document analytics.js loads for a write key', responses: { 200: { description: 'settings', content: jsonContent({ type: 'object' }) }, 404: errorResponse('unknown write key') } });
  // RudderStack's browser SDK: its source configuration, and its sendBeacon batches (the key in the query).
  const writeKeyQuery = { name: 'writeKey', in: 'query', schema: { type: 'string' } };
  add('GET', '/sourceConfig', {
    tags: ['events'],
    summary: 'The source configuration RudderStack\'s browser SDK loads (key: HTTP Basic, else ?writeKey=)',
    parameters: [writeKeyQuery],
    responses: { 200: { description: 'source configuration', content: jsonContent({ type: 'object' }) }, 401: errorResponse('no, unknown or disabled write key') },
  });
  add('POST', '/beacon/v1/batch', {
    tags: ['events'],
    summary: 'Segment batch as RudderStack\'s browser SDK sends it by sendBeacon (the write key in the query)',
    parameters: [{ ...writeKeyQuery, required: true }],
    requestBody: { required: true, content: { 'text/plain': { schema: schemaOf(EVENT_BODIES.batch, 'input') }, ...jsonContent(schemaOf(EVENT_BODIES.batch, 'input')) } },
    responses: { 200: { description: 'accepted', content: jsonContent(schemaOf(acceptedSchema, 'output')) }, 400: errorResponse('invalid'), 401: errorResponse('no write key') },
  });
  add('POST', '/v1/consent', { tags: ['events'], summary: 'Record a person\'s consent per channel and purpose', security: [{ writeKey: [] }], requestBody: { required: true, content: jsonContent({ type: 'object' }) }, responses: { 200: { description: 'recorded', content: jsonContent({ type: 'object' }) }, 400: errorResponse('invalid') } });
  const iamRead = (summary: string) => ({ tags: ['read'], summary, security: [{ iam: [] }], responses: { 200: { description: 'found', content: jsonContent({ type: 'object' }) }, 400: errorResponse('invalid'), 404: errorResponse('not found') } });
  add('GET', '/v1/profiles/{id}', iamRead('One profile with its tags and scores'));
  add('GET', '/v1/recommendations/{userId}', { ...iamRead('Recommendations for a person'), parameters: [...pathParams('/v1/recommendations/{userId}'), { name: 'n', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } }] });
  add('GET', '/v1/items/{itemId}/similar', iamRead('Items similar to an item'));
  add('GET', '/v1/privacy/{id}/export', iamRead('Right of access: everything held on a person'));
  add('POST', '/v1/privacy/{id}/erase', iamRead('Erasure across every store'));
  for (const method of ['GET', 'POST']) {
    add(method, '/v1/unsubscribe', {
      tags: ['public'],
      summary: method === 'GET' ? 'Unsubscribe confirmation page (signed token)' : 'RFC 8058 one-click unsubscribe (signed token)',
      parameters: [{ name: 'token', in: 'query', required: true, schema: { type: 'string' } }],
      responses: { 200: { description: 'unsubscribed', content: { 'text/html': { schema: { type: 'string' } } } }, 400: { description: 'bad token' } },
    });
  }
  for (const r of ADMIN_ROUTES) {
    add(r.method, r.path, {
      tags: ['admin'],
      summary: r.summary,
      operationId: `${r.method.toLowerCase()}${r.path.replace('/admin/v1', '').replace(/\{([^}]+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      security: [{ cognito: [] }],
      ...(r.query ? { parameters: [...pathParams(r.path), ...Object.entries(r.query).map(([name, description]) => ({ name, in: 'query', required: true, description, schema: { type: 'string', maxLength: 300 } }))] } : {}),
      ...(r.request ? { requestBody: { required: true, content: jsonContent(schemaOf(r.request, 'input')) } } : {}),
      responses: { 200: { description: 'ok', content: jsonContent(schemaOf(r.response, 'output')) }, 400: errorResponse('invalid: every wrong field named'), 401: errorResponse('not signed in'), 404: errorResponse('not found') },
    });
  }
  add('GET', '/openapi.json', { tags: ['public'], summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1', content: jsonContent({ type: 'object' }) } } });

  return {
    openapi: '3.1.0',
    info: {
      title: 'Sightline',
      version: '0.1.0',
      description:
        'The event API (Segment tracking spec: existing Segment and RudderStack SDKs work by changing their host), its read routes (IAM), the public unsubscribe routes, and the admin API the dashboard and operators use (a Cognito JWT in AWS; locally loopback only, with the admin token npm start prints). Locally every route is on http://127.0.0.1:3100.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: 'http://127.0.0.1:3100', description: 'the local platform (npm start)' }],
    components: {
      securitySchemes: {
        writeKey: { type: 'http', scheme: 'basic', description: 'the source write key as user name, empty password (Segment)' },
        iam: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'AWS SigV4 (IAM) in AWS; locally Bearer <admin token>' },
        cognito: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'an ID token of the Sightline Cognito user pool in AWS; locally Bearer <admin token>' },
      },
    },
    paths,
  };
}

export const openApiText = () => `${JSON.stringify(buildOpenApi(), null, 2)}\n`;
