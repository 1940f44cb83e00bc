/**
 * HTTP API (payload 2.0) helpers shared by the API handlers: one JSON response shape,
 * CORS headers for browser SDKs, and the one place errors become status codes.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { gunzipSync } from 'node:zlib';

export const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization,content-type',
  'access-control-allow-methods': 'GET,POST,OPTIONS',
};

export function json(statusCode: number, body: unknown): APIGatewayProxyResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...CORS_HEADERS },
    body: JSON.stringify(body),
  };
}

export class BodyTooLargeError extends Error {}

/**
 * The request body as text. API Gateway hands binary bodies over base64-encoded; RudderStack's
 * SDK gzips its batches (Content-Encoding: gzip), so those are inflated here, with a cap on
 * the inflated size so a small compressed bomb cannot exhaust memory.
 */
export function bodyOf(
  event: { body?: string; isBase64Encoded?: boolean; headers?: Record<string, string | undefined> },
  maxBytes: number,
): string {
  if (!event.body) return '';
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  const encoding = (event.headers?.['content-encoding'] ?? '').toLowerCase();
  if (encoding !== 'gzip') return raw.toString('utf8');
  try {
    return gunzipSync(raw, { maxOutputLength: maxBytes + 1 }).toString('utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new BodyTooLargeError(`inflated body exceeds ${maxBytes} bytes`);
    throw err;
  }
}
