/**
 * The composition root: the one place AWS SDK clients are built and adapters are wired to
 * them. Handlers (in Lambda and in the local platform's workers), `local/` and `cli/` all
 * get their adapters here, so a client setting (retries, HTTP handler, checksums) is decided
 * once and a handler never constructs an SDK client.
 *
 * - In Lambda (and in the local platform's function workers) no endpoint is passed: the SDK
 *   reads the standard `AWS_ENDPOINT_URL_<SERVICE>` variables itself, which is how the local
 *   platform points the very same handlers at the emulators.
 * - `loopback(endpoints)` is the override for code that runs beside the emulators (the
 *   platform itself, the CLI against it, tests, benchmarks): explicit endpoints, the
 *   emulators' credentials, path-style S3.
 * - Kinesis gets an HTTP/1.1 handler: kinesalite does not speak HTTP/2, and the SDK's default
 *   for Kinesis is HTTP/2 (SubscribeToShard). PutRecords/GetRecords work on 1.1 in AWS too.
 * - S3 checksums only when required: s3rver rejects the CRC32 trailers the SDK adds by default.
 * - Clients are built lazily and once per Services: a handler pays only for the clients its
 *   adapters use, at cold start.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { PersonalizeEventsClient } from '@aws-sdk/client-personalize-events';
import { PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DynamoProfileStore, type CapacityMeter } from '../adapters/dynamo-profile-store.ts';
import { DynamoSourceStore } from '../adapters/dynamo-source-store.ts';
import { KinesisEventSink } from '../adapters/kinesis-event-sink.ts';
import { PersonalizeEventTracker, PersonalizeItems, PersonalizeRecommendationProvider, S3PersonalizeConfig } from '../adapters/personalize.ts';
import { S3FailedEventSink } from '../adapters/s3-failed-event-sink.ts';
import { S3InteractionLog } from '../adapters/s3-interaction-log.ts';
import { S3ModelRegistry } from '../adapters/s3-model-registry.ts';
import { DynamoCampaignStore } from '../adapters/dynamo-campaign-store.ts';
import { DynamoFrequencyCapStore } from '../adapters/dynamo-frequency-cap-store.ts';
import { DynamoSendRecordStore } from '../adapters/dynamo-send-record-store.ts';
import { DynamoConversionStore, DynamoGoalRegistry, DynamoReportStore } from '../adapters/dynamo-conversion-store.ts';
import { DynamoSuppressionList } from '../adapters/dynamo-suppression-list.ts';
import { sesEmailSender, type SesEmailSenderOptions } from '../adapters/ses-email-sender.ts';
import { smsSender, type SmsSenderOptions } from '../adapters/sms-sender.ts';
import { webhookSender, type WebhookSenderOptions } from '../adapters/webhook-sender.ts';
import { PersonalizeClient } from '@aws-sdk/client-personalize';
import { DynamoErasureJobs } from '../adapters/dynamo-erasure-jobs.ts';
import { ProfilesPrivacyStore } from '../adapters/privacy-profiles.ts';
import { CampaignsPrivacyStore, SuppressionPrivacyStore } from '../adapters/privacy-campaigns.ts';
import { ArchivePrivacyStore, FailedEventsPrivacyStore } from '../adapters/privacy-s3.ts';
import { AwsPersonalizeEraser } from '../adapters/personalize-eraser.ts';
import { SfnErasureWorkflow } from '../adapters/sfn-erasure-workflow.ts';
import { SfnCampaignRuns } from '../adapters/observe-campaign-runs.ts';
import { DynamoCampaignCatalog } from '../adapters/observe-campaign-catalog.ts';
import { S3FailedEventCounts } from '../adapters/observe-failed-events.ts';
import { CloudWatchPipelineMetrics, StreamPipelineMetrics } from '../adapters/observe-pipeline-metrics.ts';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CurrentScoreModels } from '../domain/score/current-models.ts';
import type { PersonalizeConfig } from '../domain/recommend/personalize-config.ts';

export interface ServiceEndpoints {
  dynamodb?: string;
  kinesis?: string;
  s3?: string;
  sfn?: string;
  ses?: string;
}

export interface ServicesConfig {
  /** Explicit endpoints (the local emulators); absent: the SDK's own resolution. */
  endpoints?: ServiceEndpoints;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** s3rver needs path-style addressing. */
  s3ForcePathStyle?: boolean;
  /** Counts consumed capacity of the profile store (the write-efficiency benchmark). */
  meter?: CapacityMeter;
  /** SDK attempts per call (the SDK's retry strategy, with backoff). */
  maxAttempts?: number;
}

/** The override for code beside the local emulators (never in Lambda). */
export function loopback(endpoints: ServiceEndpoints, extra: Pick<ServicesConfig, 'meter' | 'maxAttempts'> = {}): ServicesConfig {
  return { endpoints, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, s3ForcePathStyle: true, ...extra };
}

const once = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= make());
};

export type Services = ReturnType<typeof createServices>;

export function createServices(config: ServicesConfig = {}) {
  const e = config.endpoints ?? {};
  const base = { maxAttempts: config.maxAttempts ?? 5, ...(config.region ? { region: config.region } : {}), ...(config.credentials ? { credentials: config.credentials } : {}) };
  const dynamo = once(() => new DynamoDBClient({ ...base, ...(e.dynamodb ? { endpoint: e.dynamodb } : {}) }));
  const doc = once(() => DynamoDBDocumentClient.from(dynamo(), { marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false } }));
  const kinesis = once(() => new KinesisClient({ ...base, ...(e.kinesis ? { endpoint: e.kinesis } : {}), requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000 }) }));
  const s3 = once(
    () =>
      new S3Client({
        ...base,
        ...(e.s3 ? { endpoint: e.s3 } : {}),
        forcePathStyle: config.s3ForcePathStyle ?? false,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
  );
  const sfn = once(() => new SFNClient({ ...base, ...(e.sfn ? { endpoint: e.sfn } : {}) }));
  // SES paces itself by MaxSendRate: the send loop retries throttling, not the SDK (2 attempts).
  const ses = once(() => new SESv2Client({ ...base, maxAttempts: 2, ...(e.ses ? { endpoint: e.ses } : {}) }));
  const sms = once(() => new PinpointSMSVoiceV2Client({ ...base, maxAttempts: 2 }));
  const secrets = once(() => new SecretsManagerClient(base));
  /** `<name>_SECRET_ARN`'s value in AWS, or the literal `<name>_SECRET` the local platform passes. */
  const secretValue = async (arn: string, literal: string, name: string): Promise<string> => {
    if (!arn) {
      if (literal.length < 16) throw new Error(`${name}_SECRET_ARN (or, locally, ${name}_SECRET of 16+ characters) is required`);
      return literal;
    }
    const out = await secrets().send(new GetSecretValueCommand({ SecretId: arn }));
    if (!out.SecretString) throw new Error(`the ${name.toLowerCase()} secret has no string value`);
    return out.SecretString;
  };
  const cloudwatch = once(() => new CloudWatchClient(base));
  // Serving answers from the embedded model when Personalize fails: two attempts, not five.
  const personalizeRuntime = once(() => new PersonalizeRuntimeClient({ ...base, maxAttempts: 2 }));
  const personalizeEvents = once(() => new PersonalizeEventsClient({ ...base, maxAttempts: 3 }));
  const registry = (bucket: string) => new S3ModelRegistry(s3(), bucket);

  return {
    clients: { dynamo, doc, kinesis, s3, sfn, ses },
    profileStore: (table: string) => new DynamoProfileStore(doc(), table, config.meter),
    sourceStore: (table: string) => new DynamoSourceStore(doc(), table),
    eventSink: (stream: string) => new KinesisEventSink(kinesis(), stream),
    failedEvents: (bucket: string) => new S3FailedEventSink(s3(), bucket),
    interactionLog: (bucket: string) => new S3InteractionLog(s3(), bucket),
    modelRegistry: registry,
    /** The registry's current versions of the scoring models, re-read at most once per ttl. */
    scoreModels: (bucket: string, names: string[], ttlMs: number) => new CurrentScoreModels(registry(bucket), names, ttlMs),
    personalizeConfig: (bucket: string, ttlMs?: number) => new S3PersonalizeConfig(s3(), bucket, ttlMs),
    personalizeRecommender: (c: PersonalizeConfig) => new PersonalizeRecommendationProvider(personalizeRuntime(), c),
    personalizeTracker: (trackingId: string) => new PersonalizeEventTracker(personalizeEvents(), trackingId),
    personalizeItems: (datasetArn: string) => new PersonalizeItems(personalizeEvents(), datasetArn),
    idempotencyStore: (table: string) => new DynamoDBPersistenceLayer({ tableName: table, awsSdkV3Client: dynamo() }),
    campaignStore: (table: string) => new DynamoCampaignStore(doc(), table),
    sendRecords: (table: string) => new DynamoSendRecordStore(doc(), table, config.meter),
    // Campaign measurement: active goals, conversions on send records, reports and the test's winner.
    goalRegistry: (table: string) => new DynamoGoalRegistry(doc(), table),
    conversions: (table: string) => new DynamoConversionStore(doc(), table),
    campaignReports: (table: string) => new DynamoReportStore(doc(), table),
    frequencyCaps: (table: string) => new DynamoFrequencyCapStore(doc(), table, { meter: config.meter }),
    suppressions: (table: string) => new DynamoSuppressionList(doc(), table, { meter: config.meter }),
    emailSender: (opts?: SesEmailSenderOptions) => sesEmailSender(ses(), opts),
    smsSender: (opts?: SmsSenderOptions) => smsSender(sms(), opts),
    webhookSender: (opts: WebhookSenderOptions) => webhookSender(opts),
    // Privacy (functions/domain/privacy/ports.ts): the erasure jobs and each store searched by person.
    erasureJobs: (table: string) => new DynamoErasureJobs(doc(), table),
    privacyStores: (t: { profilesTable?: string; campaignsTable?: string; failedEventsBucket?: string; interactionsBucket?: string }) => ({
      profiles: t.profilesTable ? new ProfilesPrivacyStore(doc(), t.profilesTable) : undefined,
      campaigns: t.campaignsTable ? new CampaignsPrivacyStore(doc(), t.campaignsTable) : undefined,
      suppression: t.campaignsTable ? new SuppressionPrivacyStore(doc(), t.campaignsTable) : undefined,
      failedEvents: t.failedEventsBucket ? new FailedEventsPrivacyStore(s3(), t.failedEventsBucket) : undefined,
      archive: t.interactionsBucket ? new ArchivePrivacyStore(s3(), t.interactionsBucket) : undefined,
    }),
    erasureWorkflow: (stateMachineArn: string) => new SfnErasureWorkflow(sfn(), stateMachineArn),
    personalizeEraser: (o: { bucket: string; datasetGroupArn: string; roleArn: string }) => new AwsPersonalizeEraser(new PersonalizeClient(base), s3(), o),
    // The admin API's readers (functions/domain/observe/ports.ts).
    campaignRuns: (stateMachineArn: string) => new SfnCampaignRuns(sfn(), stateMachineArn),
    campaignCatalog: (table: string) => new DynamoCampaignCatalog(doc(), table),
    failedEventCounts: (bucket: string) => new S3FailedEventCounts(s3(), bucket),
    /** CloudWatch in AWS; the raw stream itself where there is no CloudWatch (the local platform). */
    pipelineMetrics: (o: { source: 'cloudwatch' | 'streams'; rawStream: string; consumers: Record<string, string> }) =>
      o.source === 'cloudwatch' ? new CloudWatchPipelineMetrics(cloudwatch(), o.consumers) : new StreamPipelineMetrics(kinesis(), o.rawStream, Object.keys(o.consumers)),
    /**
     * A signing key: the secret's value in AWS (read once per container), or the literal the
     * local platform passes (there is no Secrets Manager emulator on npm).
     */
    signingKey: (s: { UNSUBSCRIBE_SECRET_ARN: string; UNSUBSCRIBE_SECRET: string }): Promise<string> => secretValue(s.UNSUBSCRIBE_SECRET_ARN, s.UNSUBSCRIBE_SECRET, 'UNSUBSCRIBE'),
    /** The key webhook requests are signed with (receivers verify with the same secret). */
    webhookKey: (s: { WEBHOOK_SECRET_ARN: string; WEBHOOK_SECRET: string }): Promise<string> => secretValue(s.WEBHOOK_SECRET_ARN, s.WEBHOOK_SECRET, 'WEBHOOK'),
  };
}
