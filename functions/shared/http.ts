/**
 * HTTP API (payload 2.0) helpers shared by the API handlers: one JSON response shape, CORS
 * headers for browser SDKs, the request body as bytes, and the one table that turns the
 * domain's named errors (functions/domain/shared/errors.ts) into status codes.
 *
 * CORS is opt-in per handler (`httpHandler(inner, { cors: true })`): only the event
 * collection routes answer any origin, as browser SDKs need. The read routes (profiles,
 * recommendations) return personal data and are IAM-only in AWS: they send no CORS header,
 * so a web page can never read their answers.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import {
  InvalidRequestError,
  NoModelError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnavailableError,
  UnsupportedMediaTypeError,
} from '../domain/shared/errors.ts';
import { logger } from './powertools.ts';
import { CORS_HEADERS } from '../../schemas/api/collect-cors.ts';

export function json(statusCode: number, body: unknown): APIGatewayProxyResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/** The one error → status table. Anything else is a 500 whose details stay in the log. */
const STATUS: [new (...args: never[]) => Error, number][] = [
  [InvalidRequestError, 400],
  [UnauthorizedError, 401],
  [NotFoundError, 404],
  [PayloadTooLargeError, 413],
  [UnsupportedMediaTypeError, 415],
  [UnavailableError, 503],
  [NoModelError, 503],
];

export function errorResponse(err: unknown): APIGatewayProxyResultV2 {
  const hit = STATUS.find(([type]) => err instanceof type);
  if (!hit) {
    // Never echo an internal error to a client: its message can name tables, keys or data.
    logger.error('unhandled error', { error: err instanceof Error ? err.name : typeof err });
    return json(500, { success: false, error: 'internal', message: 'internal error' });
  }
  const e = err as Error & { code: string; issues: { field: string; rule: string }[] };
  return json(hit[1], { success: false, error: e.code, ...(e.issues.length ? { issues: e.issues } : { message: e.message }) });
}

/**
 * Wraps an API handler so every thrown named error becomes its status (the table above);
 * with `cors`, every answer (errors included) carries CORS_HEADERS.
 */
export function httpHandler<E>(inner: (event: E) => Promise<APIGatewayProxyResultV2>, opts: { cors?: boolean } = {}): (event: E) => Promise<APIGatewayProxyResultV2> {
  const withCors = (r: APIGatewayProxyResultV2): APIGatewayProxyResultV2 =>
    opts.cors && typeof r === 'object' ? { ...r, headers: { ...r.headers, ...CORS_HEADERS } } : r;
  return async (event) => {
    try {
      return withCors(await inner(event));
    } catch (err) {
      return withCors(errorResponse(err));
    }
  };
}

/**
 * The request body as the client sent it: bytes (API Gateway hands binary bodies over
 * base64-encoded) and the Content-Encoding it declared. Decoding them (gzip, refusals) is
 * the domain's (functions/domain/collect/request-body.ts), so a refusal is kept like any other.
 */
export function bodyBytesOf(event: { body?: string; isBase64Encoded?: boolean; headers?: Record<string, string | undefined> }): { bytes: Buffer; contentEncoding?: string } {
  const bytes = !event.body ? Buffer.alloc(0) : event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  return { bytes, contentEncoding: event.headers?.['content-encoding'] };
}

/**
 * A path parameter, percent-decoded. A malformed escape (`%E0%A4%A`) is the caller's error
 * (400 naming the parameter), not a URIError that would surface as a 500.
 */
export function pathParameter(event: { pathParameters?: Record<string, string | undefined>; rawPath?: string }, name: string, fallbackFromPath = false): string | undefined {
  const raw = event.pathParameters?.[name] ?? (fallbackFromPath ? event.rawPath?.split('/').pop() : undefined);
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new InvalidRequestError('validation_failed', [{ field: name, rule: 'must be valid percent-encoding (RFC 3986)' }]);
  }
}
