/**
 * A shop page for the browser-SDK tests (tests/browser/*-sdk.test.ts): the local platform with
 * every request to its API recorded, one source, and a site on another loopback origin (so
 * CORS is exercised as on a real site) whose page loads a browser SDK from its npm package,
 * bundled here with esbuild. Nothing is installed or fetched at run time.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { REPO_ROOT } from '../../local/config.ts';
import { testPlatform } from './platform.ts';

/** What Chrome 131 on a Linux desktop says it is (HeadlessChrome would be filtered as a bot). */
export const VISITOR_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** One request the API received: method, path, query, content type, whether it carried Authorization. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  type: string;
  auth: boolean;
}

/** `entry`: the module the page runs, e.g. `import { X } from 'sdk'; window.X = X;`. */
async function bundle(entry: string): Promise<string> {
  const out = await build({
    stdin: { contents: entry, resolveDir: REPO_ROOT, loader: 'js' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  return out.outputFiles[0].text;
}

export async function sdkSite(entry: string) {
  const seen: SeenRequest[] = [];
  const platform = await testPlatform({
    extraRoutes: async (req) => {
      const url = new URL(req.url ?? '/', 'http://api');
      seen.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, type: String(req.headers['content-type'] ?? ''), auth: !!req.headers.authorization });
      return false; // observe only: the API serves it
    },
  });
  const { writeKey } = await platform.createSource('web');
  const js = await bundle(entry);
  const site: Server = createServer((req, res) => {
    if (req.url === '/analytics.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return res.end(js);
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>shop</title><h1>shop</h1><script src="/analytics.js"></script>');
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  return {
    platform,
    writeKey,
    siteUrl: `http://127.0.0.1:${(site.address() as AddressInfo).port}`,
    seen,
    /** Resolves when `n` POSTs to `path` have reached the API (bounded: fails after `ms`). */
    async arrived(path: string, n: number, ms = 60_000) {
      const deadline = Date.now() + ms;
      while (seen.filter((s) => s.method === 'POST' && s.path === path).length < n) {
        if (Date.now() > deadline) throw new Error(`${n} POST ${path} did not arrive; seen: ${JSON.stringify(seen.map((s) => `${s.method} ${s.path}`))}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async cleanup() {
      await new Promise<void>((r) => site.close(() => r()));
      await platform.cleanup();
    },
  };
}
