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
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startEmulators(opts: EmulatorOptions): Promise<Emulators> {
  const host = opts.host ?? '127.0.0.1';
  const dirs = { ddb: join(opts.dataDir, 'dynamodb'), kin: join(opts.dataDir, 'kinesis'), s3: join(opts.dataDir, 's3') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });

  const dynalite = require('dynalite')({ path: dirs.ddb, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
  const kinesalite = require('kinesalite')({ path: dirs.kin, createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 50 }) as Server;
  const S3rver = require('s3rver');
  const s3 = new S3rver({ port: opts.ports?.s3 ?? 0, address: host, directory: dirs.s3, silent: true });

  const ddbPort = await listen(dynalite, opts.ports?.dynamodb ?? 0, host);
  const kinPort = await listen(kinesalite, opts.ports?.kinesis ?? 0, host);
  const s3Addr = (await s3.run()) as AddressInfo;

  const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));
  return {
    dynamodb: `http://${host}:${ddbPort}`,
    kinesis: `http://${host}:${kinPort}`,
    s3: `http://${host}:${s3Addr.port}`,
    async stop() {
      await Promise.all([close(dynalite), close(kinesalite), s3.close()]);
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
