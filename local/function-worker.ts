/**
 * One local "Lambda container": a worker thread with the function's own environment
 * (worker `env` is a private copy of process.env), which imports the very handler module
 * that CDK bundles and calls its exported `handler` with a Lambda-shaped context.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const { name, root, timeoutSeconds } = workerData as { name: string; root: string; timeoutSeconds: number };
const mod = await import(pathToFileURL(join(root, 'functions', 'handlers', `${name}.ts`)).href);

parentPort!.on('message', async (msg: { id: number; event: unknown }) => {
  const started = Date.now();
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
    parentPort!.postMessage({ id: msg.id, result, ms: Date.now() - started });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, ms: Date.now() - started, error: { name: (err as Error).name, message: (err as Error).message } });
  }
});
parentPort!.postMessage({ ready: true });
