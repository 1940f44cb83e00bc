import type { Context, KinesisStreamEvent } from 'aws-lambda';

export function kinesisEvent(payloads: (unknown | string)[]): KinesisStreamEvent {
  return {
    Records: payloads.map((p, i) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'pk',
        sequenceNumber: String(1000 + i),
        data: Buffer.from(typeof p === 'string' ? p : JSON.stringify(p)).toString('base64'),
        approximateArrivalTimestamp: 1,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shard-0:${1000 + i}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/x',
      awsRegion: 'us-east-1',
      eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/raw',
    })),
  };
}

export const context = { functionName: 'test', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
