/**
 * Runs each function of the CDK app in its own worker thread (its own environment, module
 * state and cold start, as in Lambda), and invokes it with events. Invocations of one
 * function are serialised, as one Lambda container handles one event at a time.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { FunctionSpec } from './cdk-model.ts';
import { REPO_ROOT } from './config.ts';

export class InvocationError extends Error {}

export interface InvocationStats {
  invocations: number;
  errors: number;
  /** Wall time inside the worker's handler call, summed: what Lambda would bill as duration. */
  totalMs: number;
}

export interface LocalFunction {
  name: string;
  stats: InvocationStats;
  invoke<R = unknown>(event: unknown): Promise<R>;
  /** The worker's V8 heap in use, in bytes (benchmarks watch the platform's memory by part). */
  heapUsed(): Promise<number>;
  stop(): Promise<void>;
}

/** Environment: the platform's base, then the function's own from the template, then local overrides. */
export async function startFunction(spec: FunctionSpec, baseEnv: Record<string, string>, overrides: Record<string, string> = {}): Promise<LocalFunction> {
  const env: Record<string, string> = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k === 'PATH' || k === 'HOME' || k === 'TZ')),
    ...baseEnv,
    ...spec.environment,
    AWS_LAMBDA_FUNCTION_NAME: spec.name,
    ...overrides,
  };
  const worker = new Worker(join(REPO_ROOT, 'local', 'function-worker.ts'), {
    env,
    execArgv: ['--import', 'tsx'],
    workerData: { name: spec.name, root: REPO_ROOT, timeoutSeconds: spec.timeoutSeconds },
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let queue: Promise<unknown> = Promise.resolve();
  const stats: InvocationStats = { invocations: 0, errors: 0, totalMs: 0 };
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (msg) => {
      if (msg.ready) return resolve();
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      stats.invocations += 1;
      stats.totalMs += msg.ms ?? 0;
      if (msg.error) stats.errors += 1;
      if (msg.error) p.reject(Object.assign(new InvocationError(msg.error.message), { name: msg.error.name }));
      else p.resolve(msg.result);
    });
  });
  worker.on('error', (err) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  });
  await ready;
  return {
    name: spec.name,
    stats,
    invoke<R>(event: unknown): Promise<R> {
      const run = () =>
        new Promise<R>((resolve, reject) => {
          const id = nextId++;
          pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
          worker.postMessage({ id, event });
        });
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
    async heapUsed() {
      // Worker#getHeapStatistics (Node 22.16 / 24): not in every @types/node yet.
      const w = worker as unknown as { getHeapStatistics?: () => Promise<{ used_heap_size: number }> };
      return w.getHeapStatistics ? (await w.getHeapStatistics()).used_heap_size : 0;
    },
    async stop() {
      await worker.terminate();
    },
  };
}
