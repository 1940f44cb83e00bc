/**
 * Starts the AWS-API emulators on loopback, persisting into a data directory:
 * dynalite (DynamoDB), kinesalite (Kinesis), s3rver (S3). They are reached with the real
 * AWS SDK v3 clients. leveldown (under dynalite/kinesalite) needs its directories to exist
 * before it opens them ("IO error: …/LOCK: No such file or directory" otherwise).
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

export interface Emulators {
  dynamodb: string;
  kinesis: string;
  s3: string;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  dataDir: string;
  /** 0 picks free ports (tests); fixed ports make the printed URLs stable across runs. */
  ports?: { dynamodb?: number; kinesis?: number; s3?: number };
  host?: string;
  /**
   * Run dynalite and kinesalite each in its own worker thread (local/emulator-thread.ts), off
   * the calling thread's event loop. Default false: in this thread, where a test can reach
   * into the emulator's modules (tests/integration/dynalite-iterators.test.ts does).
   */
  threads?: boolean;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** A started emulator: where it listens, and how to close it. */
export interface Running {
  port: number;
  stop(): Promise<void>;
}

export type Kind = 'dynalite' | 'kinesalite';

/** The emulator's server in the calling thread (local/emulator-thread.ts calls it in its own). */
export async function inThisThread(kind: Kind, options: Record<string, unknown>, port: number, host: string): Promise<Running> {
  const server = require(kind)(options) as Server;
  const bound = await listen(server, port, host);
  return { port: bound, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

async function inItsOwnThread(kind: Kind, options: Record<string, unknown>, port: number, host: string): Promise<Running> {
  const worker = new Worker(join(import.meta.dirname, 'emulator-thread.ts'), { workerData: { kind, options, port, host }, execArgv: ['--import', 'tsx'] });
  /** The first message `pick` accepts; the worker's error (a port in use, a bad data directory) rejects. */
  const first = <T>(pick: (msg: Record<string, unknown>) => T | undefined) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (msg: Record<string, unknown>) => {
        const value = pick(msg);
        if (value === undefined) return;
        worker.off('message', onMessage);
        worker.off('error', reject);
        resolve(value);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  const bound = await first((m) => m.port as number | undefined);
  return {
    port: bound,
    async stop() {
      const stopped = first((m) => (m.stopped ? true : undefined));
      worker.postMessage({ stop: true });
      await stopped;
      await worker.terminate();
    },
  };
}

export async function startEmulators(opts: EmulatorOptions): Promise<Emulators> {
  const host = opts.host ?? '127.0.0.1';
  const dirs = { ddb: join(opts.dataDir, 'dynamodb'), kin: join(opts.dataDir, 'kinesis'), s3: join(opts.dataDir, 's3') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });

  const start = opts.threads ? inItsOwnThread : inThisThread;
  const dynalite = await start('dynalite', { path: dirs.ddb, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }, opts.ports?.dynamodb ?? 0, host);
  const kinesalite = await start('kinesalite', { path: dirs.kin, createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 50 }, opts.ports?.kinesis ?? 0, host);
  const S3rver = require('s3rver');
  const s3 = new S3rver({ port: opts.ports?.s3 ?? 0, address: host, directory: dirs.s3, silent: true });
  const s3Addr = (await s3.run()) as AddressInfo;

  return {
    dynamodb: `http://${host}:${dynalite.port}`,
    kinesis: `http://${host}:${kinesalite.port}`,
    s3: `http://${host}:${s3Addr.port}`,
    async stop() {
      await Promise.all([dynalite.stop(), kinesalite.stop(), s3.close()]);
    },
  };
}

/** The environment that points the real SDK clients (in this process or a worker) at the emulators. */
export function emulatorEnv(e: Pick<Emulators, 'dynamodb' | 'kinesis' | 's3'>): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    // s3rver only accepts its own default credentials; dynalite and kinesalite accept any.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_DYNAMODB: e.dynamodb,
    AWS_ENDPOINT_URL_KINESIS: e.kinesis,
    AWS_ENDPOINT_URL_S3: e.s3,
    S3_FORCE_PATH_STYLE: 'true',
  };
}
