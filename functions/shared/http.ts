/**
 * HTTP API (payload 2.0) helpers shared by the API handlers: one JSON response shape,
 * CORS headers for browser SDKs, and the one place errors become status codes.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';

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

export function bodyOf(event: { body?: string; isBase64Encoded?: boolean }): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}
