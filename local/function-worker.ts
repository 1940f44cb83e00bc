/**
 * One local "Lambda container": a worker thread with the function's own environment
 * (worker `env` is a private copy of process.env), which imports the very handler module
 * that CDK bundles and calls its exported `handler` with a Lambda-shaped context.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { threadCpuMs } from './thread-cpu.ts';

const { name, root, timeoutSeconds } = workerData as { name: string; root: string; timeoutSeconds: number };
const mod = await import(pathToFileURL(join(root, 'functions', 'handlers', `${name}.ts`)).href);

// SIGHTLINE_CPU_PROFILE_DIR: a V8 CPU profile of this container, written when the host stops it
// (`node --cpu-prof` writes none for a worker ended by terminate(), which is how containers end).
const profileDir = process.env.SIGHTLINE_CPU_PROFILE_DIR;
const profiler = profileDir ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}

parentPort!.on('message', async (msg: { id: number; event: unknown; stop?: true }) => {
  if (msg.stop) {
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(join(profileDir!, `${name}.${threadId}.cpuprofile`), JSON.stringify(profile));
    }
    return parentPort!.postMessage({ id: msg.id, stopped: true });
  }
  const started = Date.now();
  const cpuAtStart = threadCpuMs();
  const context = {
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, timeoutSeconds * 1000 - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const result = await mod.handler(msg.event, context);
    parentPort!.postMessage({ id: msg.id, result, ms: Date.now() - started, cpuMs: threadCpuMs() - cpuAtStart });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, ms: Date.now() - started, cpuMs: threadCpuMs() - cpuAtStart, error: { name: (err as Error).name, message: (err as Error).message } });
  }
});
parentPort!.postMessage({ ready: true });
