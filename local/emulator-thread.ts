/**
 * One emulator (dynalite or kinesalite) in its own worker thread, so its request handling
 * and LevelDB callbacks do not wait behind the platform's main event loop (the HTTP API, the
 * stream pollers, the other emulator). kinesalite holds a per-stream lock across three LevelDB
 * round trips for every PutRecords, so each turn of a busy loop it waits for is a turn every
 * other put to that stream waits too (bench/results/ingestion.md). Started by
 * local/emulators.ts; answers `{ port }` once listening and `{ stopped: true }` after a
 * `stop` message has closed the server.
 */
import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const { kind, options, port, host } = workerData as { kind: 'dynalite' | 'kinesalite'; options: Record<string, unknown>; port: number; host: string };
const server = require(kind)(options) as Server;
server.once('error', (err) => {
  throw err;
});
server.listen(port, host, () => parentPort!.postMessage({ port: (server.address() as AddressInfo).port }));
parentPort!.on('message', (msg: { stop?: true }) => {
  if (msg.stop) server.close(() => parentPort!.postMessage({ stopped: true }));
});
