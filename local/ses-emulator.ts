/**
 * Starts aws-ses-v2-local (the SES v2 API emulator) on loopback, for the local platform and
 * integration tests; the real `SESv2Client` reaches it with `endpoint: url`.
 *
 * Why a child process and not its exported `server()`:
 * - Its mail store is a module-level array: two emulators in one process would share one
 *   mailbox. One process each keeps instances (and parallel tests) apart.
 * - GetAccount answers from `process.env.AWS_SES_ACCOUNT`, read per request; a child gets its
 *   own environment instead of this process's being changed.
 * - The child's environment is built here, not inherited: in particular it never gets
 *   `SMTP_TRANSPORT`, with which the emulator would relay every mail to a real SMTP server.
 *
 * It listens on all interfaces by default, so `--host 127.0.0.1` is always passed; port 0
 * picks a free port, read back from the line the CLI prints when it is listening. Mail is
 * kept in the child's memory: `mails()` reads `GET /store`, `clear()` posts `/clear-store`,
 * and a restart loses everything (which the local platform's delivery records do not).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The account GetAccount answers with (SES v2's shape; aws-ses-v2-local validates every field). */
export interface SesEmulatorAccount {
  DedicatedIpAutoWarmupEnabled: boolean;
  Details: {
    AdditionalContactEmailAddresses: string[];
    ContactLanguage: string;
    MailType: string;
    ReviewDetails: { CaseId: string; Status: string };
    UseCaseDescription: string;
    WebsiteURL: string;
  };
  EnforcementStatus: string;
  ProductionAccessEnabled: boolean;
  SendingEnabled: boolean;
  SendQuota: { Max24HourSend: number; MaxSendRate: number; SentLast24Hours: number };
  SuppressionAttributes: { SuppressedReasons: string[] };
}

export function defaultSesAccount(sendQuota: Partial<SesEmulatorAccount['SendQuota']> = {}): SesEmulatorAccount {
  return {
    DedicatedIpAutoWarmupEnabled: false,
    Details: {
      AdditionalContactEmailAddresses: [],
      ContactLanguage: 'EN',
      MailType: 'MARKETING',
      ReviewDetails: { CaseId: 'local', Status: 'GRANTED' },
      UseCaseDescription: 'Sightline local platform',
      WebsiteURL: 'http://127.0.0.1',
    },
    EnforcementStatus: 'HEALTHY',
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    // 200/s: a production-like rate, so pacing is exercised without making local runs slow.
    SendQuota: { Max24HourSend: 10_000_000, MaxSendRate: 200, SentLast24Hours: 0, ...sendQuota },
    SuppressionAttributes: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
  };
}

/** One mail as `GET /store` lists it. */
export interface EmulatedMail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: unknown[];
  headers?: { name: string; value: string }[];
  /** Epoch seconds. */
  at: number;
}

export interface SesEmulator {
  /** The endpoint for `new SESv2Client({ endpoint })`. */
  url: string;
  port: number;
  /** Mails in the store, optionally only those since an epoch second. */
  mails(since?: number): Promise<EmulatedMail[]>;
  clear(): Promise<void>;
  stop(): Promise<void>;
}

export interface SesEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Loopback only; other hosts are refused. */
  host?: '127.0.0.1' | '::1';
  /** What GetAccount answers (default `defaultSesAccount()`, MaxSendRate 200). */
  account?: SesEmulatorAccount;
  /** How long to wait for it to listen (default 20 s). */
  startTimeoutMs?: number;
}

export function sesEmulatorCli(): string {
  return join(dirname(require.resolve('aws-ses-v2-local/package.json')), 'dist', 'cli.js');
}

export async function startSesEmulator(opts: SesEmulatorOptions = {}): Promise<SesEmulator> {
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== '::1') throw new RangeError(`the SES emulator listens on loopback only, not ${String(host)}`);
  const env: Record<string, string> = {
    AWS_SES_ACCOUNT: JSON.stringify(opts.account ?? defaultSesAccount()),
    NODE_ENV: 'production',
    ...(process.env.PATH ? { PATH: process.env.PATH } : {}),
  };
  const child = spawn(process.execPath, [sesEmulatorCli(), '--host', host, '--port', String(opts.port ?? 0)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await waitForListening(child, opts.startTimeoutMs ?? 20_000);
  const url = `http://${host === '::1' ? '[::1]' : host}:${port}`;

  // A test that forgets stop(), or a crash of this process, must not leave the child behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  return {
    url,
    port,
    async mails(since?: number) {
      const res = await fetch(`${url}/store${since !== undefined ? `?since=${Math.floor(since)}` : ''}`);
      if (!res.ok) throw new Error(`SES emulator /store answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { emails: EmulatedMail[] }).emails;
    },
    async clear() {
      const res = await fetch(`${url}/clear-store`, { method: 'POST' });
      if (!res.ok) throw new Error(`SES emulator /clear-store answered ${res.status}: ${await res.text()}`);
      await res.text();
    },
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      });
    },
  };
}

function waitForListening(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const fail = (why: string) => {
      cleanup();
      child.kill('SIGKILL');
      reject(new Error(`aws-ses-v2-local did not start: ${why}\nstdout: ${out.slice(-2000)}\nstderr: ${err.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail(`not listening after ${timeoutMs} ms`), timeoutMs);
    const onOut = (chunk: Buffer) => {
      out += chunk.toString();
      // "aws-ses-v2-local: server running at http://localhost:41234"
      const m = /server running at \S*:(\d+)/.exec(out);
      if (m) {
        cleanup();
        // Keep draining the pipes so the child never blocks on a full one.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(Number(m[1]));
      }
    };
    const onErr = (chunk: Buffer) => {
      err += chunk.toString();
    };
    const onExit = (code: number | null, signal: string | null) => fail(`exited with ${code ?? signal}`);
    const onError = (e: Error) => fail(e.message);
    function cleanup() {
      clearTimeout(timer);
      child.stdout?.off('data', onOut);
      child.stderr?.off('data', onErr);
      child.off('exit', onExit);
      child.off('error', onError);
    }
    child.stdout?.on('data', onOut);
    child.stderr?.on('data', onErr);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}
