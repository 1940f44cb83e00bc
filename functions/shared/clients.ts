/**
 * AWS SDK v3 clients, built once per container.
 *
 * - Endpoints come from the SDK's own `AWS_ENDPOINT_URL_<SERVICE>` variables, so the local
 *   platform points these same clients at the emulators without a code path of its own.
 * - Kinesis gets an HTTP/1.1 handler: kinesalite does not speak HTTP/2, and the SDK's
 *   default for Kinesis is HTTP/2 (SubscribeToShard). PutRecords/GetRecords work on 1.1 in AWS too.
 * - S3 checksums only when required: s3rver rejects the CRC32 trailers the SDK adds by default.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const retries = { maxAttempts: 5 };

export function makeDynamo(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ ...retries }), {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}

export function makeKinesis(): KinesisClient {
  return new KinesisClient({ ...retries, requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000 }) });
}

export function makeS3(forcePathStyle = false): S3Client {
  return new S3Client({
    ...retries,
    forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
