/**
 * The dashboard on the local platform: GET /dashboard/ (and its two assets) from an in-memory
 * esbuild bundle made on first request, and /dashboard/config.json saying "local" (the page
 * then uses the admin token from the URL fragment npm start prints, not Cognito). Mounted by
 * local/platform.ts as an extra route of the HTTP API on :3100, so page and admin API share
 * one origin, as CloudFront makes them share one in AWS (lib/constructs/dashboard.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildDashboard } from './build.ts';

const HEADERS = {
  // Only this origin's script, style and API; no framing (clickjacking), no referrer leaving.
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

export function dashboardRoutes(): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  let files: ReturnType<typeof buildDashboard> | undefined;
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (path !== '/dashboard' && !path.startsWith('/dashboard/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return true;
    }
    if (path === '/dashboard') {
      res.writeHead(301, { location: '/dashboard/' }).end();
      return true;
    }
    const name = path.slice('/dashboard/'.length) || 'index.html';
    if (name === 'config.json') {
      res.writeHead(200, { ...HEADERS, 'content-type': 'application/json' }).end(JSON.stringify({ local: true }));
      return true;
    }
    files ??= buildDashboard();
    const f = (await files).get(name);
    if (!f) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return true;
    }
    res.writeHead(200, { ...HEADERS, 'content-type': f.type, 'content-length': f.body.length });
    res.end(req.method === 'HEAD' ? undefined : f.body);
    return true;
  };
}
