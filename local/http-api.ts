/**
 * Serves the HTTP API routes of the CDK app over node:http on loopback, building API
 * Gateway payload-2.0 events for the same handlers. Behaviour that API Gateway owns is
 * reproduced here: CORS preflight, the Lambda authorizer (simple responses, cached per
 * Authorization header for its TTL), 10 MB payload cap, path parameters.
 *
 * AWS_IAM routes (profiles, recommendations: personal data) cannot verify SigV4 without IAM,
 * and listening on 127.0.0.1 alone does not protect them: every web page open in the
 * developer's browser can reach loopback. So locally they are:
 * - never CORS-enabled (no preflight, no Access-Control-* header, whatever the function says);
 * - refused to cross-origin callers (an Origin other than the API's own, or Sec-Fetch-Site
 *   cross-site/same-site) and to a Host that is not loopback (DNS rebinding);
 * - with `adminToken` (npm start generates one, prints it and saves it in
 *   .sightline/local.json for the CLI), served only with `Authorization: Bearer <token>`.
 * The event-collection routes keep CORS for browser SDKs, as in AWS.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { RouteSpec } from './cdk-model.ts';
import type { Invoker } from './stream-poller.ts';
import { CORS_HEADERS } from '../schemas/api/collect-cors.ts';

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

/** Routes that are IAM-only (or JWT) in AWS: served locally only as the module comment says. */
const isPrivate = (r: RouteSpec) => r.authorization === 'AWS_IAM' || r.authorization === 'JWT';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const hostnameOf = (host: string) => host.replace(/:\d+$/, '').toLowerCase();

/** Why a private route refuses this request, or undefined when it may be served. */
function privateRefusal(headers: Record<string, string>, adminToken: string | undefined): { status: 401 | 403; message: string } | undefined {
  const host = headers.host ?? '';
  if (!LOOPBACK_HOSTS.has(hostnameOf(host))) return { status: 403, message: 'Forbidden: this route is served to loopback hosts only' };
  const site = headers['sec-fetch-site'];
  if ((headers.origin !== undefined && headers.origin !== `http://${host}`) || site === 'cross-site' || site === 'same-site') {
    return { status: 403, message: 'Forbidden: cross-origin requests to IAM-only routes are refused' };
  }
  if (adminToken === undefined) return undefined;
  const given = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
  if (!given) return { status: 401, message: 'Unauthorized: send Authorization: Bearer <adminToken> (printed by npm start, kept in .sightline/local.json)' };
  const a = Buffer.from(given);
  const b = Buffer.from(adminToken);
  return a.length === b.length && timingSafeEqual(a, b) ? undefined : { status: 403, message: 'Forbidden: wrong admin token' };
}

/** A function's answer on a private route, without any CORS header it may have set. */
function withoutCors(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !k.toLowerCase().startsWith('access-control-')));
}

export async function startHttpApi(
  routes: RouteSpec[],
  functions: Map<string, Invoker>,
  opts: {
    port?: number;
    host?: string;
    extra?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
    /** When set, IAM-only routes require `Authorization: Bearer <adminToken>`. */
    adminToken?: string;
  } = {},
): Promise<HttpApi> {
  const compiled = routes.map(compile);
  const authCache = new Map<string, { until: number; result: { isAuthorized: boolean; context?: Record<string, unknown> } }>();

  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://local');
      const method = req.method ?? 'GET';
      const matches = compiled.filter((r) => r.pattern.test(url.pathname));
      // CORS only where a public (event-collection) route lives: a preflight for a private
      // path gets no Access-Control-* header, so the browser never sends the request.
      const cors: Record<string, string> = matches.some((r) => !isPrivate(r)) ? CORS_HEADERS : {};
      if (method === 'OPTIONS') return send(res, matches.length > 0 ? 204 : 404, { ...cors, ...(matches.length > 0 && cors === CORS_HEADERS ? { 'access-control-max-age': '600' } : {}) }, '');
      if (opts.extra && (await opts.extra(req, res))) return;
      const route = matches.find((r) => r.method === method || r.method === 'ANY');
      if (!route) {
        const status = matches.length > 0 ? 405 : 404;
        return send(res, status, { 'content-type': 'application/json', ...cors }, JSON.stringify({ message: status === 404 ? 'Not Found' : 'Method Not Allowed' }));
      }
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : (v ?? '')]));
      // As API Gateway does (it overwrites whatever the client sent): the scheme the client used.
      headers['x-forwarded-proto'] = 'http';
      const privateRoute = isPrivate(route);
      if (privateRoute) {
        const refused = privateRefusal(headers, opts.adminToken);
        if (refused) {
          req.resume(); // drain, unread
          return send(res, refused.status, { 'content-type': 'application/json', ...(refused.status === 401 ? { 'www-authenticate': 'Bearer realm="sightline-local"' } : {}) }, JSON.stringify({ message: refused.message }));
        }
        // The token stays here: the function (and its logs) never see it.
        delete headers.authorization;
      }
      const body = await readBody(req);
      if (body === 'too_large') return send(res, 413, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Request Entity Too Large' }));

      let authorizer: Record<string, unknown> | undefined;
      if (route.authorization === 'CUSTOM' && route.authorizerFunction) {
        const header = headers.authorization ?? '';
        if (!header) return send(res, 401, { 'content-type': 'application/json', ...cors }, JSON.stringify({ message: 'Unauthorized' }));
        const cached = authCache.get(header);
        let result = cached && cached.until > Date.now() ? cached.result : undefined;
        if (!result) {
          result = await functions.get(route.authorizerFunction)!.invoke({ version: '2.0', type: 'REQUEST', routeArn: `local:${route.method} ${route.path}`, identitySource: [header], routeKey: `${route.method} ${route.path}`, rawPath: url.pathname, headers, requestContext: { http: { method, path: url.pathname } } });
          if (route.authorizerCacheSeconds > 0) authCache.set(header, { until: Date.now() + route.authorizerCacheSeconds * 1000, result: result! });
        }
        if (!result!.isAuthorized) return send(res, 403, { 'content-type': 'application/json', ...cors }, JSON.stringify({ message: 'Forbidden' }));
        authorizer = { lambda: result!.context ?? {} };
      }

      const m = route.pattern.exec(url.pathname)!;
      const pathParameters: Record<string, string> = {};
      for (const [i, p] of route.params.entries()) {
        const value = decodePathSegment(m[i + 1]);
        // A malformed escape (`%E0%A4%A`) is the caller's error, answered before any function runs.
        if (value === undefined) return send(res, 400, { 'content-type': 'application/json', ...cors }, JSON.stringify({ success: false, error: 'validation_failed', issues: [{ field: p, rule: 'must be valid percent-encoding (RFC 3986)' }] }));
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
      send(res, out.statusCode ?? 200, { 'apigw-requestid': requestId, ...(privateRoute ? withoutCors(out.headers ?? {}) : (out.headers ?? {})) }, out.body ?? '');
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
