import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { KinesisEventSink } from '../../../functions/adapters/kinesis-event-sink.ts';

const noSleep = async () => undefined;

describe('KinesisEventSink', () => {
  it('re-sends only the records PutRecords reported as failed', async () => {
    // Prepare
    const kinesis = mockClient(KinesisClient);
    kinesis
      .on(PutRecordsCommand)
      .resolvesOnce({ FailedRecordCount: 1, Records: [{ SequenceNumber: '1' }, { ErrorCode: 'ProvisionedThroughputExceededException' }, { SequenceNumber: '3' }] })
      .resolvesOnce({ FailedRecordCount: 0, Records: [{ SequenceNumber: '4' }] });
    const sink = new KinesisEventSink(kinesis as unknown as KinesisClient, 'raw', 6, noSleep);
    // Act
    await sink.put([{ partitionKey: 'a', data: { n: 1 } }, { partitionKey: 'b', data: { n: 2 } }, { partitionKey: 'c', data: { n: 3 } }]);
    // Assess
    const calls = kinesis.commandCalls(PutRecordsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0].args[0].input.StreamName).toBe('raw');
    expect(calls[1].args[0].input.Records!.map((r) => r.PartitionKey)).toEqual(['b']);
    expect(JSON.parse(Buffer.from(calls[1].args[0].input.Records![0].Data!).toString())).toEqual({ n: 2 });
  });

  it('throws when records keep failing, never dropping them silently', async () => {
    const kinesis = mockClient(KinesisClient);
    kinesis.on(PutRecordsCommand).resolves({ FailedRecordCount: 1, Records: [{ ErrorCode: 'InternalFailure' }] });
    const sink = new KinesisEventSink(kinesis as unknown as KinesisClient, 'raw', 3, noSleep);
    await expect(sink.put([{ partitionKey: 'a', data: {} }])).rejects.toThrow(/still failing after 3 attempts \(InternalFailure\)/);
    expect(kinesis.commandCalls(PutRecordsCommand)).toHaveLength(3);
  });

  it('splits at 500 records per call', async () => {
    const kinesis = mockClient(KinesisClient);
    kinesis.on(PutRecordsCommand).resolves({ FailedRecordCount: 0, Records: [] });
    const sink = new KinesisEventSink(kinesis as unknown as KinesisClient, 'raw', 3, noSleep);
    await sink.put(Array.from({ length: 1201 }, (_, i) => ({ partitionKey: String(i), data: i })));
    expect(kinesis.commandCalls(PutRecordsCommand).map((c) => c.args[0].input.Records!.length)).toEqual([500, 500, 201]);
  });
});
