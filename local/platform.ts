/**
 * The embedded local platform: emulators on loopback, the CDK app's resources created in
 * them, its functions running in worker threads, its stream mappings polled with the
 * Lambda contract, and its HTTP API served — all read from the synthesized app.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { startSesEmulator, type SesEmulator } from './ses-emulator.ts';
import { startSmsApi, type SmsApi } from './sms-api.ts';
import { sesEventsRoute, startDeliveryRecorder, type DeliveryRecorder } from './ses-feedback.ts';
import { LocalStepFunctions, type WaitOverrides } from './step-functions.ts';
import { startSfnApi } from './sfn-api.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadLocalModel, type LocalModel } from './cdk-model.ts';
import { expiryRules, startExpirySweep } from './expiry-sweep.ts';
import { emulatorEnv, startEmulators, type Emulators } from './emulators.ts';
import { startFunction, type LocalFunction } from './function-host.ts';
import { startHttpApi, type HttpApi } from './http-api.ts';
import { provision } from './provision.ts';
import { CheckpointFile, StreamPoller } from './stream-poller.ts';
import { createServices, loopback, type Services } from '../functions/shared/services.ts';
import { hashWriteKey, newWriteKey } from '../functions/domain/collect/write-keys.ts';
import { dashboardRoutes } from '../web/dashboard/serve.ts';

/** The dashboard (web/dashboard/) at /dashboard/ on the API's port, before any extra routes a test adds. */
function withDashboard(extra?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>) {
  const dashboard = dashboardRoutes();
  return async (req: IncomingMessage, res: ServerResponse) => (await dashboard(req, res)) || (extra ? extra(req, res) : false);
}

export interface PlatformOptions {
  dataDir: string;
  ports?: { api?: number; dynamodb?: number; kinesis?: number; s3?: number; ses?: number; sfn?: number; sms?: number };
  /** Extra variables for every function (fault injection points SDK endpoints elsewhere). */
  functionEnv?: Record<string, string>;
  /** dynalite and kinesalite each in its own worker thread (default true; local/emulators.ts). */
  emulatorThreads?: boolean;
  /** Per-function overrides, e.g. { 'tag-profiles': { AWS_ENDPOINT_URL_DYNAMODB: proxy } }. */
  functionEnvOverrides?: Record<string, Record<string, string>>;
  /** Containers per function (default 1 each): how many invocations of it may run at once, as Lambda scales out. */
  containers?: Record<string, number>;
  extraRoutes?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  model?: LocalModel;
  pollIdleMs?: number;
  retryBaseMs?: number;
  /**
   * Caps every mapping's batching window (seconds). Tests set it so a 30 s window (the score
   * consumer's) does not make every wait 30 s; batching windows trade latency for fewer
   * invocations and change no result. Default: the template's windows.
   */
  maxBatchingWindowSeconds?: number;
  /** Wait states of state machines (ms; a number for all). Default: they really wait. Tests pass 0. */
  waitOverrides?: WaitOverrides;
  /** When set, the IAM-only read routes require `Authorization: Bearer <adminToken>` (local/http-api.ts). */
  adminToken?: string;
}

export interface Platform {
  apiUrl: string;
  emulators: Emulators;
  /** aws-ses-v2-local on loopback: campaign mail lands in its store (`GET /store`, web view at `/`). */
  ses: SesEmulator;
  /** The loopback End User Messaging SMS API: campaign texts land in its outbox (`GET /store`). */
  sms: SmsApi;
  /** Records a delivery per mail the emulator accepted; `drain()` waits until they are recorded. */
  sesDeliveries: DeliveryRecorder;
  /** The app's state machines (Campaign, Rescore, …) run by aws-local-stepfunctions on the synthesized definitions. */
  stepFunctions: LocalStepFunctions;
  /** The Step Functions API (executions) on loopback, for `aws stepfunctions` and SFNClient. */
  sfnUrl: string;
  model: LocalModel;
  functions: Map<string, LocalFunction>;
  pollers: StreamPoller[];
  /** Adapters on the emulators (the composition root, pointed at loopback). */
  services: Services;
  clients: { ddb: DynamoDBClient; doc: DynamoDBDocumentClient; kinesis: KinesisClient; s3: S3Client };
  /** Local resource names, looked up by the function variable that names them. */
  resource(fn: string, variable: string): string;
  createSource(name: string): Promise<{ sourceId: string; writeKey: string }>;
  /**
   * Resolves when every poller (or only those delivering to `functions`) has read its shards
   * to the end and delivered everything, three checks in a row.
   */
  waitForIdle(timeoutMs?: number, functions?: string[]): Promise<void>;
  pollerErrors: Error[];
  stop(): Promise<void>;
}

/** Every local function's Powertools settings: no X-Ray daemon, no CloudWatch, warnings and errors only. */
export const LOCAL_POWERTOOLS_ENV = {
  POWERTOOLS_TRACE_ENABLED: 'false',
  // No tracing here, so no need for the X-Ray SDK's automatic mode: on import it installs a
  // cls-hooked async hook (init + destroy on every promise and socket) that cost a fifth of the
  // CPU per event on the clickstream (bench/results/ingestion.md). In Lambda, tracing is on.
  AWS_XRAY_MANUAL_MODE: '1',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'WARN',
  POWERTOOLS_DEV: 'false',
};

/** SDK clients on the emulators, from the composition root (tests and benchmarks send raw commands with them). */
export function localClients(e: Pick<Emulators, 'dynamodb' | 'kinesis' | 's3'>) {
  const c = createServices(loopback(e)).clients;
  return { ddb: c.dynamo(), doc: c.doc(), kinesis: c.kinesis(), s3: c.s3() };
}

/** A free loopback port, so the API's URL is known before the functions that link to it start. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** A signing key of this data directory (AWS keeps it in Secrets Manager). */
function localSigningKey(dataDir: string, name = 'unsubscribe'): string {
  const path = join(dataDir, `${name}-signing-key`);
  if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(path, 'utf8').trim();
}

export async function startPlatform(opts: PlatformOptions): Promise<Platform> {
  mkdirSync(opts.dataDir, { recursive: true });
  const model = opts.model ?? loadLocalModel();
  const emulators = await startEmulators({ dataDir: opts.dataDir, ports: opts.ports, threads: opts.emulatorThreads ?? true });
  const ses = await startSesEmulator({ port: opts.ports?.ses ?? 0 });
  const sms = await startSmsApi({ port: opts.ports?.sms ?? 0 });
  // The emulator emits no SES events: a delivery per accepted mail goes through record-feedback
  // as SES would publish it (local/ses-feedback.ts). `functions` is filled below, before any send.
  const deliveries = await startDeliveryRecorder({ target: ses.url, onEvent: (e) => functions.get('record-feedback')!.invoke(e) });
  const apiPort = opts.ports?.api ?? (await freePort());
  // Known before the functions start: the admin API's campaigns function reaches the loopback Step Functions API.
  const sfnPort = opts.ports?.sfn ?? (await freePort());
  // What the CDK app resolves from its own resources in AWS (the API's URL, a secret's value).
  const campaignEnv = { UNSUBSCRIBE_URL: `http://127.0.0.1:${apiPort}/v1/unsubscribe`, UNSUBSCRIBE_SECRET: localSigningKey(opts.dataDir), UNSUBSCRIBE_SECRET_ARN: '', WEBHOOK_SECRET: localSigningKey(opts.dataDir, 'webhook'), WEBHOOK_SECRET_ARN: '' };
  const services = createServices(loopback(emulators));
  const clients = { ddb: services.clients.dynamo(), doc: services.clients.doc(), kinesis: services.clients.kinesis(), s3: services.clients.s3() };
  await provision(model, clients);
  // s3rver has no lifecycle and dynalite no TTL: the template's ages, applied hourly (local/expiry-sweep.ts).
  const sweep = startExpirySweep(clients, expiryRules(model), { onError: (e) => console.warn(`expiry sweep: ${(e as Error).message}`) });

  const baseEnv = {
    ...emulatorEnv(emulators),
    AWS_ENDPOINT_URL_SESV2: deliveries.url,
    AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2: sms.url,
    AWS_ENDPOINT_URL_SFN: `http://127.0.0.1:${sfnPort}`,
    ...LOCAL_POWERTOOLS_ENV,
    ...opts.functionEnv,
  };
  const functions = new Map<string, LocalFunction>();
  await Promise.all(
    model.functions.map(async (spec) => {
      const local = 'UNSUBSCRIBE_URL' in spec.environment ? campaignEnv : {};
      functions.set(spec.name, await startFunction(spec, baseEnv, { ...local, ...opts.functionEnvOverrides?.[spec.name] }, opts.containers?.[spec.name]));
    }),
  );

  const checkpoints = new CheckpointFile(join(opts.dataDir, 'checkpoints.json'));
  const pollerErrors: Error[] = [];
  const cap = opts.maxBatchingWindowSeconds;
  const pollers = model.mappings.map(
    (m) => new StreamPoller(cap === undefined ? m : { ...m, batchingWindowSeconds: Math.min(cap, m.batchingWindowSeconds) }, functions.get(m.functionName)!, clients.kinesis, clients.s3, checkpoints, { idleMs: opts.pollIdleMs, retryBaseMs: opts.retryBaseMs, onError: (e) => pollerErrors.push(e) }),
  );
  for (const p of pollers) await p.start();
  // `sightline campaign feedback` posts SES events here (another process than the platform).
  const appRoutes = opts.extraRoutes;
  const sesEvents = sesEventsRoute(() => functions.get('record-feedback'), opts.adminToken);
  opts = { ...opts, extraRoutes: async (req, res) => (await sesEvents(req, res)) || (appRoutes ? appRoutes(req, res) : false) };
  const api: HttpApi = await startHttpApi(model.routes, functions, { port: apiPort, extra: withDashboard(opts.extraRoutes), adminToken: opts.adminToken });

  const stepFunctions = new LocalStepFunctions(model, functions, opts.waitOverrides);
  const sfnApi = await startSfnApi(stepFunctions, sfnPort);

  const resource = (fn: string, variable: string) => {
    const spec = model.functions.find((f) => f.name === fn);
    const v = spec?.environment[variable];
    if (!v) throw new Error(`no ${variable} on function ${fn} in the CDK app`);
    return v;
  };

  return {
    apiUrl: api.url,
    emulators,
    ses,
    sms,
    sesDeliveries: deliveries,
    stepFunctions,
    sfnUrl: sfnApi.url,
    model,
    functions,
    pollers,
    services,
    clients,
    pollerErrors,
    resource,
    async createSource(name) {
      const writeKey = newWriteKey();
      const sourceId = `src_${randomUUID().slice(0, 8)}`;
      await services.sourceStore(resource('authorize-write-key', 'SOURCES_TABLE_NAME')).create({
        schemaVersion: 1,
        sourceId,
        name,
        keyHash: hashWriteKey(writeKey),
        createdAt: new Date().toISOString(),
        disabled: false,
      });
      return { sourceId, writeKey };
    },
    async waitForIdle(timeoutMs = 120_000, only?: string[]) {
      const deadline = Date.now() + timeoutMs;
      const watched = only ? pollers.filter((p) => only.includes(p.functionName)) : pollers;
      if (only && watched.length === 0) throw new Error(`no stream mapping delivers to ${only.join(', ')}`);
      let quiet = 0;
      while (quiet < 3) {
        if (Date.now() > deadline) throw new Error('the local pipeline did not drain in time');
        await new Promise((r) => setTimeout(r, 150));
        quiet = watched.every((p) => p.idle) ? quiet + 1 : 0;
      }
    },
    async stop() {
      await sweep.stop();
      await api.stop();
      await Promise.all(pollers.map((p) => p.stop()));
      await Promise.all([...functions.values()].map((f) => f.stop()));
      await emulators.stop();
      await deliveries.stop();
      await ses.stop();
      await sms.stop();
      await sfnApi.stop();
    },
  };
}
