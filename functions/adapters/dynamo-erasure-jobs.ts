/**
 * ErasureJobStore on the privacy table (lib/constructs/privacy.ts): one item per job,
 * `pk = ERASURE#<job>` (job = jobKey(id), functions/domain/privacy/erasure.ts).
 *
 * Single-item writes only (dynalite has no transactions): the job is created under
 * `attribute_not_exists(pk)`; the first count found per store is set with `if_not_exists`,
 * so a resumed step keeps the first; completing stores the receipt and REMOVEs the subject,
 * the requested id and the nonce in the same update, so what stays holds no id.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ErasureJob, ErasureJobStore, ErasureReceipt, PrivacyStoreName, StoreReceipt, Subject } from '../domain/privacy/ports.ts';

export const erasureJobKey = (job: string) => ({ pk: `ERASURE#${job}` });

export class DynamoErasureJobs implements ErasureJobStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(job: string): Promise<ErasureJob | undefined> {
    const out = await this.ddb.send(new GetCommand({ TableName: this.tableName, Key: erasureJobKey(job), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, schemaVersion: _v, ...rest } = out.Item;
    return { found: {}, results: {}, ...rest } as ErasureJob;
  }

  async create(job: ErasureJob): Promise<ErasureJob> {
    try {
      await this.ddb.send(new PutCommand({ TableName: this.tableName, Item: { ...erasureJobKey(job.job), schemaVersion: 1, ...job }, ConditionExpression: 'attribute_not_exists(pk)' }));
      return job;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const existing = await this.get(job.job);
      if (!existing) throw err;
      return existing;
    }
  }

  private async update(job: string, expression: string, values: Record<string, unknown>, names: Record<string, string> = {}): Promise<void> {
    await this.ddb.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: erasureJobKey(job),
        UpdateExpression: expression,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: values,
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      }),
    );
  }

  async saveSubject(job: string, subject: Subject, profileFound: boolean, nonce: string): Promise<void> {
    await this.update(job, 'SET #subject = if_not_exists(#subject, :s), #pf = if_not_exists(#pf, :f), #nonce = if_not_exists(#nonce, :n), #st = :running', { ':s': subject, ':f': profileFound, ':n': nonce, ':running': 'running' }, { '#st': 'status', '#subject': 'subject', '#pf': 'profileFound', '#nonce': 'nonce' });
  }

  async saveFound(job: string, store: PrivacyStoreName, count: number): Promise<void> {
    await this.update(job, 'SET #found.#s = if_not_exists(#found.#s, :c)', { ':c': count }, { '#found': 'found', '#s': store });
  }

  async saveResult(job: string, result: StoreReceipt): Promise<void> {
    await this.update(job, 'SET #results.#s = :r', { ':r': result }, { '#results': 'results', '#s': result.store });
  }

  async savePersonalizeJob(job: string, arn: string): Promise<void> {
    await this.update(job, 'SET #arn = if_not_exists(#arn, :a)', { ':a': arn }, { '#arn': 'personalizeJobArn' });
  }

  async complete(job: string, receipt: ErasureReceipt): Promise<void> {
    await this.update(job, 'SET #receipt = :r, #st = :done REMOVE #subject, #rid, #nonce', { ':r': receipt, ':done': 'completed' }, { '#st': 'status', '#receipt': 'receipt', '#subject': 'subject', '#rid': 'requestedId', '#nonce': 'nonce' });
  }
}
