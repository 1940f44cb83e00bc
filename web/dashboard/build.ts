/**
 * Builds the dashboard: esbuild bundles src/main.ts (with uPlot from npm) and src/app.css into
 * dist/ beside index.html. `npx tsx web/dashboard/build.ts` writes dist/ (what S3 receives);
 * the local platform calls `buildDashboard()` in memory (web/dashboard/serve.ts).
 */
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

export async function buildDashboard(): Promise<Map<string, { type: string; body: Buffer }>> {
  const out = await build({
    entryPoints: { app: join(HERE, 'src', 'main.ts'), 'app-style': join(HERE, 'src', 'app.css') },
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    target: 'es2022',
    outdir: join(HERE, 'dist'),
    logLevel: 'silent',
  });
  const files = new Map<string, { type: string; body: Buffer }>();
  files.set('index.html', { type: 'text/html; charset=utf-8', body: readFileSync(join(HERE, 'index.html')) });
  for (const f of out.outputFiles) {
    const name = f.path.split('/').pop()!.replace('app-style.css', 'app.css');
    if (name.endsWith('.js')) files.set(name, { type: 'text/javascript; charset=utf-8', body: Buffer.from(f.contents) });
    if (name.endsWith('.css')) files.set(name, { type: 'text/css; charset=utf-8', body: Buffer.from(f.contents) });
  }
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = await buildDashboard();
  mkdirSync(join(HERE, 'dist'), { recursive: true });
  for (const [name, f] of files) writeFileSync(join(HERE, 'dist', name), f.body);
  console.log(`wrote ${[...files.keys()].join(', ')} to web/dashboard/dist/`);
}
