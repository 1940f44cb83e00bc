/**
 * PersonalizeEraser (functions/domain/privacy/ports.ts) on Amazon Personalize:
 * CreateDataDeletionJob removes a list of users' data from the dataset group's datasets; it
 * reads the users from a CSV in S3 (header USER_ID) with a role Personalize assumes (the
 * import role, which reads the interactions bucket). The file is written under
 * `privacy/erasure/<job>.csv` and deleted by `finish` once the job has ended.
 *
 * Idempotent: the deletion job's name is derived from the erasure job, so a retried start
 * that finds the name taken (ResourceAlreadyExistsException) looks the job up instead of
 * creating another. Personalize has no emulator: this runs in AWS only.
 */
import { CreateDataDeletionJobCommand, DescribeDataDeletionJobCommand, ListDataDeletionJobsCommand, type PersonalizeClient } from '@aws-sdk/client-personalize';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { PersonalizeEraser } from '../domain/privacy/ports.ts';

export const erasureUsersKey = (job: string) => `privacy/erasure/${job}.csv`;
/** Personalize job names: 1–63 characters of [a-zA-Z0-9_-]. */
export const deletionJobName = (job: string) => `sightline-erase-${job.slice(0, 40)}`;

const csvField = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export class AwsPersonalizeEraser implements PersonalizeEraser {
  constructor(
    private readonly personalize: PersonalizeClient,
    private readonly s3: S3Client,
    private readonly opts: { bucket: string; datasetGroupArn: string; roleArn: string },
  ) {}

  async start(job: string, userIds: string[]): Promise<string> {
    const key = erasureUsersKey(job);
    await this.s3.send(new PutObjectCommand({ Bucket: this.opts.bucket, Key: key, Body: `USER_ID\n${userIds.map(csvField).join('\n')}\n`, ContentType: 'text/csv' }));
    const jobName = deletionJobName(job);
    try {
      const out = await this.personalize.send(
        new CreateDataDeletionJobCommand({ jobName, datasetGroupArn: this.opts.datasetGroupArn, roleArn: this.opts.roleArn, dataSource: { dataLocation: `s3://${this.opts.bucket}/${key}` } }),
      );
      return out.dataDeletionJobArn!;
    } catch (err) {
      if ((err as { name?: string }).name !== 'ResourceAlreadyExistsException') throw err;
      let token: string | undefined;
      do {
        const page = await this.personalize.send(new ListDataDeletionJobsCommand({ datasetGroupArn: this.opts.datasetGroupArn, nextToken: token }));
        const hit = page.dataDeletionJobs?.find((j) => j.jobName === jobName);
        if (hit?.dataDeletionJobArn) return hit.dataDeletionJobArn;
        token = page.nextToken;
      } while (token);
      throw err;
    }
  }

  async status(jobArn: string): Promise<'PENDING' | 'IN_PROGRESS' | 'ACTIVE' | 'FAILED'> {
    const out = await this.personalize.send(new DescribeDataDeletionJobCommand({ dataDeletionJobArn: jobArn }));
    const s = out.dataDeletionJob?.status ?? 'PENDING';
    if (s === 'ACTIVE' || s === 'FAILED' || s === 'IN_PROGRESS') return s;
    return 'PENDING';
  }

  async finish(job: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: erasureUsersKey(job) }));
  }
}
