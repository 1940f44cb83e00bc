import { Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IManagedPolicy } from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { Clean } from '../constructs/clean.ts';

export interface CleanStackProps extends StackProps {
  readonly rawStream: IStream;
  readonly cleanStream: IStream;
  readonly failedEventsBucket: IBucket;
  readonly failedEventsWriterPolicy: IManagedPolicy;
  readonly idempotencyTable: ITable;
}

/** Stateless: the clean consumer. */
export class CleanStack extends Stack {
  public readonly clean: Clean;
  constructor(scope: Construct, id: string, props: CleanStackProps) {
    super(scope, id, props);
    this.clean = new Clean(this, 'Clean', props);
  }
}
