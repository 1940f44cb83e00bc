/**
 * Give-ups are said (issue 10, finding 9): when the local event-source mapping gives records
 * up to the on-failure destination, one line per give-up names the function, the count, the
 * condition and where the records were kept. The Kinesis and S3 clients are fakes with the
 * few commands the poller sends.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import { CheckpointFile, StreamPoller, formatGiveUp, type GiveUp } from '../../../local/stream-poller.ts';
import type { MappingSpec } from '../../../local/cdk-model.ts';

const mapping: MappingSpec = {
  functionName: 'tag-profiles',
  streamName: 'sightline-clean',
  batchSize: 10,
  batchingWindowSeconds: 0,
  bisectOnError: false,
  maxRetryAttempts: 2,
  maxRecordAgeSeconds: -1,
  reportBatchItemFailures: true,
  startingPosition: 'TRIM_HORIZON',
  onFailureBucket: 'sightline-failed',
};

/** A shard holding `n` records once; then empty. */
function fakeKinesis(n: number) {
  let served = false;
  return {
    send: async (cmd: { constructor: { name: string } }) => {
      switch (cmd.constructor.name) {
        case 'ListShardsCommand': return { Shards: [{ ShardId: 'shardId-000000000000' }] };
        case 'GetShardIteratorCommand': return { ShardIterator: 'it-0' };
        default: {
          const records = served ? [] : Array.from({ length: n }, (_, i) => ({ SequenceNumber: String(100 + i), PartitionKey: 'u', Data: Buffer.from('{}'), ApproximateArrivalTimestamp: new Date() }));
          served = true;
          return { Records: records, NextShardIterator: 'it-1', MillisBehindLatest: 0 };
        }
      }
    },
  } as unknown as KinesisClient;
}

function fakeS3() {
  const puts: { Bucket: string; Key: string }[] = [];
  return { puts, client: { send: async (cmd: { input: { Bucket: string; Key: string } }) => void puts.push(cmd.input) } as unknown as S3Client };
}

const failing = { invoke: async () => { throw new Error('Infinity is not allowed'); } };

let dir: string | undefined;
let poller: StreamPoller | undefined;
afterEach(async () => {
  await poller?.stop();
  poller = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function untilGivenUp(m: MappingSpec, onGiveUp?: (g: GiveUp) => void) {
  dir = mkdtempSync(join(tmpdir(), 'sightline-poller-'));
  const s3 = fakeS3();
  poller = new StreamPoller(m, failing, fakeKinesis(3), s3.client, new CheckpointFile(join(dir, 'checkpoints.json')), { idleMs: 5, retryBaseMs: 1, ...(onGiveUp ? { onGiveUp } : {}) });
  await poller.start();
  for (let i = 0; i < 400 && poller.stats.recordsToDestination === 0; i++) await new Promise((r) => setTimeout(r, 5));
  await poller.stop();
  poller = undefined;
  return s3.puts;
}

describe('stream poller: give-ups are said', () => {
  it('calls onGiveUp once per give-up with the function, count, condition and where the records were kept', async () => {
    // Prepare
    const seen: GiveUp[] = [];
    // Act
    const puts = await untilGivenUp(mapping, (g) => seen.push(g));
    // Assess
    expect(puts).toHaveLength(1);
    expect(seen).toEqual([
      {
        functionName: 'tag-profiles',
        streamName: 'sightline-clean',
        shardId: 'shardId-000000000000',
        count: 3,
        condition: 'RetryAttemptsExhausted',
        attempts: 3,
        error: 'Infinity is not allowed',
        firstSequenceNumber: '100',
        lastSequenceNumber: '102',
        storedAt: `s3://sightline-failed/${puts[0].Key}`,
      },
    ]);
  });

  it('prints one console line by default, and says when nothing kept the records', async () => {
    // Prepare
    const lines: string[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => void lines.push(args.join(' '));
    try {
      // Act
      await untilGivenUp(mapping);
      await untilGivenUp({ ...mapping, onFailureBucket: undefined });
    } finally {
      console.warn = original;
    }
    // Assess
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[give-up\] tag-profiles: 3 records of sightline-clean\/shardId-000000000000 given up, RetryAttemptsExhausted after 3 attempts: Infinity is not allowed; kept in s3:\/\/sightline-failed\/aws\/lambda\/tag-profiles\//);
    expect(lines[1]).toMatch(/NOT KEPT \(the mapping has no on-failure destination\)$/);
  });

  it('formats an age give-up without an error', () => {
    const line = formatGiveUp({ functionName: 'clean-events', streamName: 'raw', shardId: 's0', count: 1, condition: 'RecordAgeExceeded', attempts: 0, firstSequenceNumber: '1', lastSequenceNumber: '1', storedAt: 's3://b/k' });
    expect(line).toBe('[give-up] clean-events: 1 record of raw/s0 given up, RecordAgeExceeded older than the maximum record age; kept in s3://b/k');
  });
});
