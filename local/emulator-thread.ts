/**
 * One emulator (dynalite or kinesalite) in its own worker thread, so its request handling
 * and LevelDB callbacks do not wait behind the platform's main event loop (the HTTP API, the
 * stream pollers, the other emulator). kinesalite holds a per-stream lock across three LevelDB
 * round trips for every PutRecords, so each turn of a busy loop it waits for is a turn every
 * other put to that stream waits too (bench/results/ingestion.md). Started by
 * local/emulators.ts; answers `{ port }` once listening and `{ stopped: true }` after a
 * `stop` message has closed the server. A failed listen (a port in use) rejects the top-level
 * await, which ends the worker with that error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { inThisThread, type Kind } from './emulators.ts';

const { kind, options, port, host } = workerData as { kind: Kind; options: Record<string, unknown>; port: number; host: string };
const running = await inThisThread(kind, options, port, host);
parentPort!.postMessage({ port: running.port });
parentPort!.on('message', async (msg: { stop?: true }) => {
  if (!msg.stop) return;
  await running.stop();
  parentPort!.postMessage({ stopped: true });
});
