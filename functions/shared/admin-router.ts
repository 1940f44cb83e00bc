/**
 * The admin API's handlers answer several routes each (one function per area keeps the stack
 * small and the cold starts few): this maps the event's routeKey to its action, turns the
 * answer into a JSON 200 and every named error into its status (functions/shared/http.ts).
 * No CORS header: the admin API is private (JWT in AWS, loopback plus admin token locally).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { InvalidRequestError, NotFoundError } from '../domain/shared/errors.ts';
import { httpHandler, json, pathParameter } from './http.ts';

export type AdminEvent = Pick<APIGatewayProxyEventV2, 'routeKey' | 'pathParameters' | 'queryStringParameters' | 'body' | 'isBase64Encoded'> & { rawPath?: string };
export type AdminAction = (event: AdminEvent) => Promise<unknown>;

export function adminRouter(actions: Record<string, AdminAction>) {
  return httpHandler(async (event: AdminEvent) => {
    const action = actions[event.routeKey];
    if (!action) throw new NotFoundError(`no route ${event.routeKey}`);
    return json(200, await action(event));
  });
}

/** A required path parameter, 1–300 characters. */
export function param(event: AdminEvent, name: string): string {
  const v = pathParameter(event, name) ?? '';
  if (!v || v.length > 300) throw new InvalidRequestError('validation_failed', [{ field: name, rule: 'must be 1 to 300 characters' }]);
  return v;
}

/** The JSON body, or a 400 naming it. */
export function jsonBody(event: AdminEvent): unknown {
  const text = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequestError('validation_failed', [{ field: 'body', rule: 'must be a JSON document' }]);
  }
}
