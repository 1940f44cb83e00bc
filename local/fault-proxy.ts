/**
 * A fault-injecting HTTP proxy for the emulators' AWS JSON APIs (DynamoDB, Kinesis).
 * Functions are pointed at it through their AWS_ENDPOINT_URL_<SERVICE> variable; a rule
 * decides per request (by its X-Amz-Target operation) to forward it, answer with an AWS
 * error (throttling, 500), or — for Kinesis PutRecords — answer that every record failed.
 * Used by the fault-injection tests and the benchmark; loopback only.
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultDecision = 'forward' | 'throttle' | 'server_error' | 'put_records_all_failed';
export type FaultRule = (operation: string, body: string) => FaultDecision;

export interface FaultProxy {
  url: string;
  counts: Record<FaultDecision, number>;
  setRule(rule: FaultRule): void;
  stop(): Promise<void>;
}

const readAll = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

export async function startFaultProxy(target: string, initial: FaultRule = () => 'forward'): Promise<FaultProxy> {
  let rule = initial;
  const counts: Record<FaultDecision, number> = { forward: 0, throttle: 0, server_error: 0, put_records_all_failed: 0 };
  const to = new URL(target);
  const server = createServer(async (req, res) => {
    const body = await readAll(req);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    const decision = rule(operation, body.toString('utf8'));
    counts[decision] += 1;
    const json = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'fault' });
      res.end(JSON.stringify(payload));
    };
    if (decision === 'throttle') {
      // Both DynamoDB and Kinesis name their throttling error this way; the SDK retries it.
      return json(400, { __type: 'ProvisionedThroughputExceededException', message: 'injected: rate exceeded' });
    }
    if (decision === 'server_error') return json(500, { __type: 'InternalFailure', message: 'injected: internal failure' });
    if (decision === 'put_records_all_failed') {
      const records = (JSON.parse(body.toString('utf8')).Records ?? []) as unknown[];
      return json(200, { FailedRecordCount: records.length, Records: records.map(() => ({ ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'injected' })) });
    }
    const upstream = httpRequest(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => json(500, { __type: 'InternalFailure', message: 'upstream failed' }));
    upstream.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    setRule: (r) => {
      rule = r;
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
