import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IManagedPolicy } from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { Collect } from '../constructs/collect.ts';

export interface CollectStackProps extends StackProps {
  readonly rawStream: IStream;
  readonly failedEventsBucket: IBucket;
  readonly failedEventsWriterPolicy: IManagedPolicy;
  readonly sourcesTable: ITable;
  readonly profilesTable: ITable;
}

/** Stateless: the event API. */
export class CollectStack extends Stack {
  public readonly collect: Collect;
  constructor(scope: Construct, id: string, props: CollectStackProps) {
    super(scope, id, props);
    this.collect = new Collect(this, 'Collect', props);
    new CfnOutput(this, 'ApiUrl', { value: this.collect.api.apiEndpoint });
  }
}
