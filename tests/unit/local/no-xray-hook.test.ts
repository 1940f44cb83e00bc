/**
 * The X-Ray SDK installs a process-wide async hook (cls-hooked: init and destroy on every
 * promise and socket) when it loads in automatic mode. Tracing is off on the local platform,
 * so neither its main thread (emulators, HTTP API, pollers) nor its function workers should
 * pay for it: the main thread does not load the SDK at all, and the workers' environment puts
 * it in manual mode (bench/results/ingestion.md: a fifth of the CPU per event on the clickstream).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../local/config.ts';
import { LOCAL_POWERTOOLS_ENV } from '../../../local/platform.ts';

/** In a fresh Node process that imports `module`: is the X-Ray SDK loaded, and has it created its cls namespace (the hook)? */
function afterImport(module: string, env: Record<string, string> = {}): { xray: boolean; namespace: boolean } {
  const script = `
    const { createRequire } = await import('node:module');
    await import(${JSON.stringify(module)});
    const require = createRequire(import.meta.url);
    const xray = Object.keys(require.cache).some((k) => k.includes('aws-xray-sdk-core'));
    const namespace = xray && require('cls-hooked').getNamespace('AWSXRay') !== undefined;
    console.log(JSON.stringify({ xray, namespace }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe('the X-Ray SDK on the local platform', () => {
  it('is not loaded by the platform main thread', () => {
    expect(afterImport('./local/platform.ts')).toEqual({ xray: false, namespace: false });
  });

  it('hooks every async resource when a handler module loads it as in Lambda, and not with the local functions environment', () => {
    expect(afterImport('./functions/shared/powertools.ts')).toEqual({ xray: true, namespace: true });
    expect(afterImport('./functions/shared/powertools.ts', LOCAL_POWERTOOLS_ENV)).toEqual({ xray: true, namespace: false });
  });
});
