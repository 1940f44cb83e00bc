/**
 * A fault-injecting HTTP proxy for the emulators' AWS JSON APIs (DynamoDB, Kinesis).
 * Functions are pointed at it through their AWS_ENDPOINT_URL_<SERVICE> variable; a rule
 * decides per request (by its X-Amz-Target operation) to forward it, answer with an AWS
 * error (throttling, 500), or — for Kinesis PutRecords — answer that every record failed.
 * It also meters what passes (DynamoDB consumed capacity, Kinesis bytes) for the benchmarks.
 * Used by the fault-injection tests and the benchmarks; loopback only.
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultDecision = 'forward' | 'throttle' | 'server_error' | 'put_records_all_failed';
export type FaultRule = (operation: string, body: string) => FaultDecision;

/** What passed through, for the benchmarks: DynamoDB capacity as the emulator reported it, Kinesis bytes. */
export interface Meter {
  requests: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  /** Bytes of record data (plus partition keys) put on streams, as Kinesis bills ingestion. */
  putBytes: number;
  putRecords: number;
}

export interface FaultProxy {
  url: string;
  counts: Record<FaultDecision, number>;
  meter: Meter;
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
  const meter: Meter = { requests: {}, readUnits: 0, writeUnits: 0, putBytes: 0, putRecords: 0 };
  const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);
  function record(operation: string, reqBody: Buffer, resBody: Buffer) {
    meter.requests[operation] = (meter.requests[operation] ?? 0) + 1;
    try {
      if (operation === 'PutRecords' || operation === 'PutRecord') {
        const req = JSON.parse(reqBody.toString('utf8'));
        for (const r of req.Records ?? [req]) {
          meter.putBytes += Buffer.from(r.Data, 'base64').length + Buffer.byteLength(r.PartitionKey ?? '');
          meter.putRecords += 1;
        }
        return;
      }
      const res = JSON.parse(resBody.toString('utf8'));
      const consumed = ([] as { CapacityUnits?: number }[]).concat(res.ConsumedCapacity ?? []);
      const units = consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      if (READS.has(operation)) meter.readUnits += units;
      else meter.writeUnits += units;
    } catch {
      // Not JSON (an error page): nothing to meter.
    }
  }
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
      async (up) => {
        const upBody = await readAll(up);
        if ((up.statusCode ?? 500) < 300) record(operation, body, upBody);
        res.writeHead(up.statusCode ?? 502, up.headers);
        res.end(upBody);
      },
    );
    upstream.on('error', () => json(500, { __type: 'InternalFailure', message: 'upstream failed' }));
    upstream.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    meter,
    setRule: (r) => {
      rule = r;
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
