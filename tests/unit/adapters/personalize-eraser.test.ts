import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateDataDeletionJobCommand, DescribeDataDeletionJobCommand, ListDataDeletionJobsCommand, PersonalizeClient, ResourceAlreadyExistsException } from '@aws-sdk/client-personalize';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsPersonalizeEraser, deletionJobName, erasureUsersKey } from '../../../functions/adapters/personalize-eraser.ts';

const personalize = mockClient(PersonalizeClient);
const s3 = mockClient(S3Client);
beforeEach(() => {
  personalize.reset();
  s3.reset();
});

const opts = { bucket: 'interactions', datasetGroupArn: 'arn:aws:personalize:eu-west-1:1:dataset-group/sightline', roleArn: 'arn:aws:iam::1:role/personalize-import' };
const job = 'a'.repeat(64);
const jobName = `sightline-erase-${'a'.repeat(40)}`;
const eraser = () => new AwsPersonalizeEraser(new PersonalizeClient({ maxAttempts: 1 }), new S3Client({ maxAttempts: 1 }), opts);
const taken = () => new ResourceAlreadyExistsException({ message: `${jobName} already exists`, $metadata: {} });
/** The CSV is written, the job name is taken, and the list answers a first page of someone else's job, then `second`. */
const nameTakenWithPages = (second: { dataDeletionJobs: { jobName: string; dataDeletionJobArn: string }[]; nextToken?: string }) => {
  s3.on(PutObjectCommand).resolves({});
  personalize.on(CreateDataDeletionJobCommand).rejects(taken());
  personalize
    .on(ListDataDeletionJobsCommand)
    .resolvesOnce({ dataDeletionJobs: [{ jobName: 'sightline-erase-other', dataDeletionJobArn: 'arn:del/other' }], nextToken: 'page-2' })
    .resolvesOnce(second);
};

describe('AwsPersonalizeEraser.start', () => {
  it('writes the users CSV under the job key, then asks for a deletion job named after the erasure job', async () => {
    // Prepare
    s3.on(PutObjectCommand).resolves({});
    personalize.on(CreateDataDeletionJobCommand).resolves({ dataDeletionJobArn: 'arn:del/1' });
    // Act
    const arn = await eraser().start(job, ['ada', 'bob,smith', 'say "hi"', 'two\nlines']);
    // Assess
    expect(arn).toBe('arn:del/1');
    const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put).toEqual({
      Bucket: 'interactions',
      Key: `privacy/erasure/${job}.csv`,
      // RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled.
      Body: 'USER_ID\nada\n"bob,smith"\n"say ""hi"""\n"two\nlines"\n',
      ContentType: 'text/csv',
    });
    expect(personalize.commandCalls(CreateDataDeletionJobCommand)[0].args[0].input).toEqual({
      jobName,
      datasetGroupArn: opts.datasetGroupArn,
      roleArn: opts.roleArn,
      dataSource: { dataLocation: `s3://interactions/privacy/erasure/${job}.csv` },
    });
    expect(personalize.commandCalls(ListDataDeletionJobsCommand)).toHaveLength(0);
  });

  it('keeps job names inside Personalize’s 63-character limit and derives the key from the job', () => {
    // Act + Assess
    expect(deletionJobName(job)).toBe(jobName);
    expect(deletionJobName(job).length).toBeLessThanOrEqual(63);
    expect(deletionJobName(job)).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(erasureUsersKey('j1')).toBe('privacy/erasure/j1.csv');
  });

  it('on a retry whose name is taken, finds the existing job across pages instead of creating another', async () => {
    // Prepare
    nameTakenWithPages({ dataDeletionJobs: [{ jobName, dataDeletionJobArn: 'arn:del/mine' }], nextToken: 'page-3' });
    // Act
    const arn = await eraser().start(job, ['ada']);
    // Assess
    expect(arn).toBe('arn:del/mine');
    const lists = personalize.commandCalls(ListDataDeletionJobsCommand).map((c) => c.args[0].input);
    expect(lists).toEqual([
      { datasetGroupArn: opts.datasetGroupArn, nextToken: undefined },
      { datasetGroupArn: opts.datasetGroupArn, nextToken: 'page-2' },
    ]);
    expect(personalize.commandCalls(CreateDataDeletionJobCommand)).toHaveLength(1);
  });

  it('rethrows the name clash when no listed job has the name', async () => {
    // Prepare
    nameTakenWithPages({ dataDeletionJobs: [] });
    // Act + Assess
    await expect(eraser().start(job, ['ada'])).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    expect(personalize.commandCalls(ListDataDeletionJobsCommand)).toHaveLength(2);
  });

  it('rethrows any other error without looking for an existing job', async () => {
    // Prepare
    s3.on(PutObjectCommand).resolves({});
    personalize.on(CreateDataDeletionJobCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }));
    // Act + Assess
    await expect(eraser().start(job, ['ada'])).rejects.toThrow('Rate exceeded');
    expect(personalize.commandCalls(ListDataDeletionJobsCommand)).toHaveLength(0);
  });

  it('asks Personalize nothing when the CSV cannot be written', async () => {
    // Prepare
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: {} }));
    // Act + Assess
    await expect(eraser().start(job, ['ada'])).rejects.toThrow('Access Denied');
    expect(personalize.commandCalls(CreateDataDeletionJobCommand)).toHaveLength(0);
  });
});

describe('AwsPersonalizeEraser.status', () => {
  it.each([
    ['ACTIVE', 'ACTIVE'],
    ['FAILED', 'FAILED'],
    ['IN_PROGRESS', 'IN_PROGRESS'],
    ['CREATE PENDING', 'PENDING'],
    ['SOMETHING NEW', 'PENDING'],
    [undefined, 'PENDING'],
  ])('maps Describe status %s to %s', async (described, expected) => {
    // Prepare
    personalize.on(DescribeDataDeletionJobCommand).resolves({ dataDeletionJob: { status: described } });
    // Act
    const status = await eraser().status('arn:del/1');
    // Assess
    expect(status).toBe(expected);
    expect(personalize.commandCalls(DescribeDataDeletionJobCommand)[0].args[0].input).toEqual({ dataDeletionJobArn: 'arn:del/1' });
  });
});

describe('AwsPersonalizeEraser.finish', () => {
  it('deletes the users CSV of the job', async () => {
    // Prepare
    s3.on(DeleteObjectCommand).resolves({});
    // Act
    await eraser().finish(job);
    // Assess
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: 'interactions', Key: `privacy/erasure/${job}.csv` }]);
  });
});
