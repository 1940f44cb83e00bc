/**
 * The loopback Step Functions API in front of the local executions: the SDK's SFNClient and
 * the AWS CLI (`aws stepfunctions … --endpoint-url`) start, describe, list and read the
 * history of Campaign executions exactly as they would in AWS. The AWS CLI comes from
 * Debian's awscli package, which .ci/run installs; on a machine without it the CLI half is
 * skipped, except in CI (CI=true), where a missing CLI fails the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { basicAuth, testPlatform } from '../helpers/platform.ts';

let platform: Awaited<ReturnType<typeof testPlatform>>;
let sfn: SFNClient;
let arn: string;
const fixture = readFileSync(new URL('../fixtures/campaigns/spring-sale.json', import.meta.url), 'utf8');
const withId = (id: string) => JSON.stringify({ ...JSON.parse(fixture), id });

function awsCli(): string | undefined {
  for (const bin of ['/usr/bin/aws', 'aws']) {
    try {
      execFileSync(bin, ['--version'], { stdio: 'ignore' });
      return bin;
    } catch {
      // not this one
    }
  }
  if (process.env.CI === 'true') throw new Error('the AWS CLI is missing: .ci/run installs Debian\'s awscli');
  return undefined;
}
const aws = awsCli();

async function until(executionArn: string) {
  for (;;) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  platform = await testPlatform({ waitOverrides: 0 });
  sfn = new SFNClient({ endpoint: platform.sfnUrl, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  arn = platform.stepFunctions.find('Campaign').arn;
  const { writeKey } = await platform.createSource('sfn');
  const batch = [
    { type: 'identify', userId: 's1', traits: { email: 's1@example.test' }, context: { consent: { categoryPreferences: { 'email.marketing': true } } } },
    { type: 'track', userId: 's1', event: 'Order Completed', properties: { revenue: 3, currency: 'GBP' } },
  ];
  await fetch(`${platform.apiUrl}/v1/batch`, { method: 'POST', headers: { authorization: basicAuth(writeKey), 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
  await platform.waitForIdle();
});
afterAll(async () => platform?.cleanup());

describe('the loopback Step Functions API', () => {
  it('SFNClient: StartExecution, DescribeExecution, ListExecutions, GetExecutionHistory; a reused name with other input is refused', async () => {
    // Act
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'sdk-campaign', input: withId('sdk-campaign') }));
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'sdk-campaign', input: withId('sdk-campaign') }));
    const done = await until(started.executionArn!);
    const list = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }));
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn! }));
    const clash = sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'sdk-campaign', input: withId('another') }));
    // Assess
    expect(again.executionArn).toBe(started.executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!).totals.sent + JSON.parse(done.output!).totals.holdout).toBe(1);
    expect(list.executions?.map((e) => e.name)).toContain('sdk-campaign');
    expect(history.events?.some((e) => e.type === 'ExecutionSucceeded')).toBe(true);
    await expect(clash).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it.skipIf(!aws)('aws stepfunctions start-execution --endpoint-url works unchanged', async () => {
    // Prepare (the CLI runs as a child process; execFileSync would block this process, which serves the API)
    const file = join(tmpdir(), `campaign-${process.pid}.json`);
    writeFileSync(file, withId('cli-campaign'));
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
    const cli = async (...args: string[]) => JSON.parse((await promisify(execFile)(aws!, ['stepfunctions', ...args, '--endpoint-url', platform.sfnUrl, '--output', 'json'], { env, encoding: 'utf8' })).stdout);
    // Act
    const started = await cli('start-execution', '--state-machine-arn', arn, '--name', 'cli-campaign', '--input', `file://${file}`);
    let d = await cli('describe-execution', '--execution-arn', started.executionArn);
    for (let i = 0; d.status === 'RUNNING' && i < 600; i++) {
      await new Promise((r) => setTimeout(r, 200));
      d = await cli('describe-execution', '--execution-arn', started.executionArn);
    }
    // Assess
    expect(started.executionArn).toMatch(/:execution:.*:cli-campaign$/);
    expect(d.status).toBe('SUCCEEDED');
  });
});
