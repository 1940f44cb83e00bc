/**
 * The part of the Step Functions API that executions use, served on loopback in front of
 * the local executions (local/step-functions.ts), so a marketer's usual tools work unchanged:
 * `aws stepfunctions start-execution --endpoint-url http://127.0.0.1:<port> …` and the SDK's
 * SFNClient. AWS JSON 1.0 protocol (POST /, `X-Amz-Target: AWSStepFunctions.<Operation>`);
 * requests are signed by the clients but not checked: it listens on 127.0.0.1 only.
 * Written here because no npm package serves this API without Docker.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalExecution, LocalStepFunctions } from './step-functions.ts';

const seconds = (d?: Date) => (d ? d.getTime() / 1000 : undefined);

function summary(e: LocalExecution) {
  return { executionArn: e.executionArn, stateMachineArn: e.stateMachineArn, name: e.name, status: e.status, startDate: seconds(e.startDate), ...(e.stopDate ? { stopDate: seconds(e.stopDate) } : {}) };
}

type Handler = (body: Record<string, unknown>) => unknown;

export function sfnOperations(sfn: LocalStepFunctions): Record<string, Handler> {
  const str = (b: Record<string, unknown>, k: string) => {
    const v = b[k];
    if (typeof v !== 'string' || !v) throw Object.assign(new Error(`${k} is required`), { name: 'InvalidArn' });
    return v;
  };
  return {
    ListStateMachines: () => ({ stateMachines: sfn.stateMachines.map((s) => ({ stateMachineArn: s.arn, name: s.name, type: 'STANDARD', creationDate: 0 })) }),
    StartExecution: (b) => {
      const e = sfn.start(str(b, 'stateMachineArn'), typeof b.input === 'string' ? b.input : '{}', typeof b.name === 'string' ? b.name : undefined);
      return { executionArn: e.executionArn, startDate: seconds(e.startDate) };
    },
    DescribeExecution: (b) => {
      const e = sfn.describe(str(b, 'executionArn'));
      return { ...summary(e), input: e.input, ...(e.output !== undefined ? { output: e.output } : {}), ...(e.error ? { error: e.error, cause: e.cause } : {}) };
    },
    ListExecutions: (b) => ({ executions: sfn.list(str(b, 'stateMachineArn')).filter((e) => !b.statusFilter || e.status === b.statusFilter).map(summary) }),
    StopExecution: (b) => ({ stopDate: seconds(sfn.stop(str(b, 'executionArn')).stopDate ?? new Date()) }),
    GetExecutionHistory: (b) => ({
      events: sfn.describe(str(b, 'executionArn')).history.map((h) => ({ timestamp: seconds(h.timestamp), type: h.type, id: h.id, previousEventId: h.id - 1 })),
    }),
  };
}

async function bodyOf(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function startSfnApi(sfn: LocalStepFunctions, port = 0): Promise<{ url: string; stop(): Promise<void> }> {
  const ops = sfnOperations(sfn);
  const server: Server = createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(body));
    };
    const op = String(req.headers['x-amz-target'] ?? '').replace(/^AWSStepFunctions\./, '');
    const handler = ops[op];
    if (req.method !== 'POST' || !handler) return reply(400, { __type: 'UnknownOperationException', message: `not served locally: ${op || req.url}` });
    try {
      reply(200, handler(await bodyOf(req)));
    } catch (err) {
      const e = err as Error;
      reply(400, { __type: e.name === 'Error' || e.name === 'SyntaxError' ? 'InvalidExecutionInput' : e.name, message: e.message });
    }
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
