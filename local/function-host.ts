/**
 * Runs each function of the CDK app in its own worker thread (its own environment, module
 * state and cold start, as in Lambda), and invokes it with events. A container handles one
 * event at a time, as in Lambda; a function may have several (`containers`), and an
 * invocation then takes the first free one.
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
  /** CPU time of the container's thread inside those calls, summed (0 where Node cannot tell). */
  cpuMs: number;
}

export interface LocalFunction {
  name: string;
  stats: InvocationStats;
  invoke<R = unknown>(event: unknown): Promise<R>;
  /** The worker's V8 heap in use, in bytes (benchmarks watch the platform's memory by part). */
  heapUsed(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Free containers and the invocations waiting for one, first come first served: with one
 * container, invocations run one after another in the order they came, as before pools.
 */
export class FreeList<T> {
  private readonly idle: T[];
  private readonly waiting: ((item: T) => void)[] = [];
  constructor(items: T[]) {
    this.idle = [...items];
  }
  acquire(): Promise<T> {
    return new Promise((resolve) => (this.idle.length > 0 ? resolve(this.idle.shift()!) : this.waiting.push(resolve)));
  }
  release(item: T): void {
    const next = this.waiting.shift();
    if (next) next(item);
    else this.idle.push(item);
  }
}

/** One container: a worker thread running the function's handler, one event at a time. */
interface Container {
  run(event: unknown): Promise<{ result: unknown; ms: number; cpuMs: number; error?: { message: string; name: string } }>;
  heapUsed(): Promise<number>;
  stop(): Promise<void>;
}

async function startContainer(spec: FunctionSpec, env: Record<string, string>): Promise<Container> {
  const worker = new Worker(join(REPO_ROOT, 'local', 'function-worker.ts'), {
    env,
    execArgv: ['--import', 'tsx'],
    workerData: { name: spec.name, root: REPO_ROOT, timeoutSeconds: spec.timeoutSeconds },
  });
  const pending = new Map<number, { resolve: (v: { result: unknown; ms: number; cpuMs: number; error?: { message: string; name: string } }) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (msg) => {
      if (msg.ready) return resolve();
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      p.resolve({ result: msg.result, ms: msg.ms ?? 0, cpuMs: msg.cpuMs ?? 0, error: msg.error });
    });
  });
  worker.on('error', (err) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  });
  await ready;
  return {
    run: (event) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, event });
      }),
    async heapUsed() {
      // Worker#getHeapStatistics (Node 22.16 / 24): not in every @types/node yet.
      const w = worker as unknown as { getHeapStatistics?: () => Promise<{ used_heap_size: number }> };
      return w.getHeapStatistics ? (await w.getHeapStatistics()).used_heap_size : 0;
    },
    async stop() {
      // The worker finishes what it keeps on stopping (a CPU profile when asked for) before it ends.
      if (env.SIGHTLINE_CPU_PROFILE_DIR) await new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, { resolve, reject: resolve });
        worker.postMessage({ id, stop: true });
      });
      await worker.terminate();
    },
  };
}

/**
 * Environment: the platform's base, then the function's own from the template, then local
 * overrides. `containers` (default 1): how many containers may run at once, as Lambda starts
 * another container when every warm one is busy; an invocation waits for the first free one.
 */
export async function startFunction(spec: FunctionSpec, baseEnv: Record<string, string>, overrides: Record<string, string> = {}, containers = 1): Promise<LocalFunction> {
  const env: Record<string, string> = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k === 'PATH' || k === 'HOME' || k === 'TZ' || k === 'SIGHTLINE_CPU_PROFILE_DIR')),
    ...baseEnv,
    ...spec.environment,
    AWS_LAMBDA_FUNCTION_NAME: spec.name,
    ...overrides,
  };
  const pool = await Promise.all(Array.from({ length: Math.max(1, containers) }, () => startContainer(spec, env)));
  const free = new FreeList(pool);
  const stats: InvocationStats = { invocations: 0, errors: 0, totalMs: 0, cpuMs: 0 };
  return {
    name: spec.name,
    stats,
    async invoke<R>(event: unknown): Promise<R> {
      const c = await free.acquire();
      try {
        const out = await c.run(event);
        stats.invocations += 1;
        stats.totalMs += out.ms;
        stats.cpuMs += out.cpuMs;
        if (out.error) {
          stats.errors += 1;
          throw Object.assign(new InvocationError(out.error.message), { name: out.error.name });
        }
        return out.result as R;
      } finally {
        free.release(c);
      }
    },
    async heapUsed() {
      return (await Promise.all(pool.map((c) => c.heapUsed()))).reduce((a, b) => a + b, 0);
    },
    async stop() {
      await Promise.all(pool.map((c) => c.stop()));
    },
  };
}
