/**
 * Serves the HTTP API routes of the CDK app over node:http on loopback, building API
 * Gateway payload-2.0 events for the same handlers. Behaviour that API Gateway owns is
 * reproduced here: CORS preflight, the Lambda authorizer (simple responses, cached per
 * Authorization header for its TTL), 10 MB payload cap, path parameters.
 * AWS_IAM routes cannot verify SigV4 without IAM: locally they are served only to
 * loopback clients (the server listens on 127.0.0.1), which the README states.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { RouteSpec } from './cdk-model.ts';
import type { Invoker } from './stream-poller.ts';
import { CORS_HEADERS } from '../functions/shared/http.ts';

interface Compiled extends RouteSpec {
  pattern: RegExp;
  params: string[];
}

const API_GATEWAY_MAX_BODY = 10 * 1024 * 1024;

function compile(r: RouteSpec): Compiled {
  const params: string[] = [];
  const pattern = new RegExp(
    '^' +
      r.path.replace(/\{([^}+]+)\+?\}/g, (_m, name) => {
        params.push(name);
        return '([^/]+)';
      }) +
      '/?$',
  );
  return { ...r, pattern, params };
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= API_GATEWAY_MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > API_GATEWAY_MAX_BODY ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function isText(body: Buffer, headers: Record<string, string>): boolean {
  if (headers['content-encoding']) return false;
  return Buffer.from(body.toString('utf8'), 'utf8').equals(body);
}

/** One path segment, percent-decoded; undefined when its escapes are malformed. */
function decodePathSegment(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string) {
  res.writeHead(status, headers);
  res.end(body);
}

export interface HttpApi {
  url: string;
  stop(): Promise<void>;
}

export async function startHttpApi(
  routes: RouteSpec[],
  functions: Map<string, Invoker>,
  opts: { port?: number; host?: string; extra?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean> } = {},
): Promise<HttpApi> {
  const compiled = routes.map(compile);
  const authCache = new Map<string, { until: number; result: { isAuthorized: boolean; context?: Record<string, unknown> } }>();

  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://local');
      const method = req.method ?? 'GET';
      if (method === 'OPTIONS') return send(res, 204, { ...CORS_HEADERS, 'access-control-max-age': '600' }, '');
      if (opts.extra && (await opts.extra(req, res))) return;
      const matches = compiled.filter((r) => r.pattern.test(url.pathname));
      const route = matches.find((r) => r.method === method || r.method === 'ANY');
      if (!route) {
        const status = matches.length > 0 ? 405 : 404;
        return send(res, status, { 'content-type': 'application/json', ...CORS_HEADERS }, JSON.stringify({ message: status === 404 ? 'Not Found' : 'Method Not Allowed' }));
      }
      const body = await readBody(req);
      if (body === 'too_large') return send(res, 413, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Request Entity Too Large' }));
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : (v ?? '')]));

      let authorizer: Record<string, unknown> | undefined;
      if (route.authorization === 'CUSTOM' && route.authorizerFunction) {
        const header = headers.authorization ?? '';
        if (!header) return send(res, 401, { 'content-type': 'application/json', ...CORS_HEADERS }, JSON.stringify({ message: 'Unauthorized' }));
        const cached = authCache.get(header);
        let result = cached && cached.until > Date.now() ? cached.result : undefined;
        if (!result) {
          result = await functions.get(route.authorizerFunction)!.invoke({ version: '2.0', type: 'REQUEST', routeArn: `local:${route.method} ${route.path}`, identitySource: [header], routeKey: `${route.method} ${route.path}`, rawPath: url.pathname, headers, requestContext: { http: { method, path: url.pathname } } });
          if (route.authorizerCacheSeconds > 0) authCache.set(header, { until: Date.now() + route.authorizerCacheSeconds * 1000, result: result! });
        }
        if (!result!.isAuthorized) return send(res, 403, { 'content-type': 'application/json', ...CORS_HEADERS }, JSON.stringify({ message: 'Forbidden' }));
        authorizer = { lambda: result!.context ?? {} };
      }

      const m = route.pattern.exec(url.pathname)!;
      const pathParameters: Record<string, string> = {};
      for (const [i, p] of route.params.entries()) {
        const value = decodePathSegment(m[i + 1]);
        // A malformed escape (`%E0%A4%A`) is the caller's error, answered before any function runs.
        if (value === undefined) return send(res, 400, { 'content-type': 'application/json', ...CORS_HEADERS }, JSON.stringify({ success: false, error: 'validation_failed', issues: [{ field: p, rule: 'must be valid percent-encoding (RFC 3986)' }] }));
        pathParameters[p] = value;
      }
      const requestId = randomUUID();
      const event = {
        version: '2.0',
        routeKey: `${route.method} ${route.path}`,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
        pathParameters: route.params.length ? pathParameters : undefined,
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          domainName: req.headers.host ?? 'localhost',
          http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
          requestId,
          routeKey: `${route.method} ${route.path}`,
          stage: '$default',
          time: new Date().toUTCString(),
          timeEpoch: Date.now(),
          authorizer,
        },
        // As API Gateway does: text bodies as they are, encoded or binary ones base64-encoded.
        body: body.length ? (isText(body, headers) ? body.toString('utf8') : body.toString('base64')) : undefined,
        isBase64Encoded: body.length > 0 && !isText(body, headers),
      };
      const out = await functions.get(route.functionName)!.invoke<{ statusCode: number; headers?: Record<string, string>; body?: string }>(event);
      send(res, out.statusCode ?? 200, { 'apigw-requestid': requestId, ...(out.headers ?? {}) }, out.body ?? '');
    } catch (err) {
      // What API Gateway answers when the integration fails: no detail (an error's message can
      // name tables, keys or data). The developer sees it on the platform's console instead.
      console.error(`local API: ${req.method} ${(req.url ?? '').split('?')[0].slice(0, 200)} failed: ${(err as Error).name}: ${String((err as Error).message).slice(0, 300)}`);
      if (res.headersSent) res.destroy();
      else send(res, 500, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Internal Server Error' }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${addr.port}`,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
