/**
 * The Personalize training workflow, as CDK synthesizes it, executed by aws-local-stepfunctions
 * with each Personalize/S3 task replaced by a local function (keyed by state name).
 */
import { describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { StateMachine, ExecutionError } from 'aws-local-stepfunctions';
import { buildApp } from '../../bin/app.ts';
import { stateMachinesOf } from '../../local/asl.ts';

const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const { stacks } = buildApp(app);
const [definition] = [...stateMachinesOf(Template.fromStack(stacks.recommend).toJSON()).values()];

type Handlers = Record<string, (input: any) => unknown>;
// Fakes answer in the SDK's response shapes: the definition's ResultSelectors read them.
const status = (key: string, s: string) => () => ({ [key]: { Status: s } });

function fakePersonalize(over: Handlers = {}) {
  const calls: Record<string, unknown[]> = {};
  const record = (name: string, fn: (input: any) => unknown) => (input: any) => {
    (calls[name] ??= []).push(input);
    return fn(input);
  };
  const base: Handlers = {
    'Import interactions': () => ({ DatasetImportJobArn: 'arn:aws:personalize:us-east-1:000000000000:dataset-import-job/j1' }),
    'Describe import': (() => {
      let n = 0;
      return () => ({ DatasetImportJob: { Status: ++n < 2 ? 'CREATE IN_PROGRESS' : 'ACTIVE' } });
    })(),
    Train: () => ({ SolutionVersionArn: 'arn:aws:personalize:us-east-1:000000000000:solution/sightline-user-personalization/v1' }),
    'Read metrics': () => ({ SolutionVersionArn: 'v1', Metrics: { coverage: 0.4, precision_at_10: 0.05 } }),
    'Find campaign': () => ({ Campaigns: [] }),
    'Create campaign': () => ({ CampaignArn: 'arn:aws:personalize:us-east-1:000000000000:campaign/sightline-recommendations' }),
    'Describe campaign': status('Campaign', 'ACTIVE'),
    'Ensure filter': () => ({ FilterArn: 'f' }),
    'Find tracker': () => ({ EventTrackers: [] }),
    'Create tracker': () => ({ EventTrackerArn: 'arn:t1', TrackingId: 'track-1' }),
    'Publish pointer': () => ({}),
  };
  base['Describe training'] = status('SolutionVersion', 'ACTIVE');
  const handlers = Object.fromEntries(Object.entries({ ...base, ...over }).map(([k, fn]) => [k, record(k, fn)]));
  return { handlers, calls };
}

const run = (handlers: Handlers) =>
  new StateMachine(definition, { validationOptions: { checkArn: false } }).run(
    {},
    { context: { Execution: { Name: 'weekly-1', Id: 'arn:exec', StartTime: '2026-11-22T00:00:00Z' } } as never, overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: Object.fromEntries(['Wait for import', 'Wait for training', 'Wait for campaign'].map((w) => [w, 0])), retryIntervalOverrides: { 'Import interactions': 0 } } },
  ).result;

describe('recommender training workflow (synthesized ASL, run locally)', () => {
  it('imports, trains, creates the campaign, filter and tracker, then publishes the pointer', async () => {
    // Prepare
    const { handlers, calls } = fakePersonalize();
    // Act
    await run(handlers);
    // Assess
    expect(calls['Import interactions'][0]).toMatchObject({ JobName: 'sightline-weekly-1', ImportMode: 'FULL', DataSource: { DataLocation: expect.stringMatching(/^s3:\/\/.+\/interactions\/$/) } });
    expect(calls['Describe import']).toHaveLength(2); // polled until ACTIVE
    expect(calls['Create campaign']).toHaveLength(1);
    expect(calls['Update campaign']).toBeUndefined();
    const published = calls['Publish pointer'][0] as { Key: string; Body: string };
    expect(published.Key).toBe('models/_personalize/current.json');
    expect(JSON.parse(published.Body)).toMatchObject({
      campaignArn: 'arn:aws:personalize:us-east-1:000000000000:campaign/sightline-recommendations',
      filterArn: 'arn:aws:personalize:us-east-1:000000000000:filter/sightline-exclude-purchased',
      trackingId: 'track-1',
      solutionVersionArn: expect.stringContaining('/v1'),
      metrics: { precision_at_10: 0.05 },
    });
  });

  it('updates the existing campaign and reuses the tracker and filter on a re-run', async () => {
    // Prepare
    const filterTaken = Object.assign(new Error('exists'), { name: 'Personalize.ResourceAlreadyExistsException' });
    const { handlers, calls } = fakePersonalize({
      'Find campaign': () => ({ Campaigns: [{ CampaignArn: 'arn:c' }] }),
      'Update campaign': () => ({ CampaignArn: 'arn:c' }),
      'Ensure filter': () => Promise.reject(filterTaken),
      'Find tracker': () => ({ EventTrackers: [{ EventTrackerArn: 'arn:t' }] }),
      'Describe tracker': () => ({ EventTracker: { TrackingId: 'track-old' } }),
    });
    // Act
    await run(handlers);
    // Assess
    expect(calls['Create campaign']).toBeUndefined();
    expect(calls['Create tracker']).toBeUndefined();
    expect(JSON.parse((calls['Publish pointer'][0] as { Body: string }).Body)).toMatchObject({ trackingId: 'track-old', campaignArn: 'arn:c' });
  });

  it('fails with ImportFailed when the import job fails, and trains nothing', async () => {
    // Prepare
    const { handlers, calls } = fakePersonalize({ 'Describe import': status('DatasetImportJob', 'CREATE FAILED') });
    // Act
    const error = await run(handlers).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(ExecutionError);
    expect((error as { cause?: { name?: string } }).cause?.name).toBe('ImportFailed');
    expect(String(error)).toMatch(/no solution version was created/);
    expect(calls.Train).toBeUndefined();
    expect(calls['Publish pointer']).toBeUndefined();
  });

  it('retries a throttled Personalize call', async () => {
    // Prepare
    let attempts = 0;
    const { handlers, calls } = fakePersonalize({
      'Import interactions': () => {
        if (++attempts < 3) return Promise.reject(Object.assign(new Error('slow down'), { name: 'Personalize.LimitExceededException' }));
        return { DatasetImportJobArn: 'arn:j' };
      },
    });
    // Act
    await run(handlers);
    // Assess
    expect(attempts).toBe(3);
    expect(calls['Publish pointer']).toHaveLength(1);
  });
});
