import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Data } from '../constructs/data.ts';

/** Stateful: the event streams and the buckets (failed events, interactions, models). */
export class DataStack extends Stack {
  public readonly data: Data;
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.data = new Data(this, 'Data');
    new CfnOutput(this, 'RawStreamName', { value: this.data.rawStream.streamName });
    new CfnOutput(this, 'CleanStreamName', { value: this.data.cleanStream.streamName });
    new CfnOutput(this, 'ProfileChangesStreamName', { value: this.data.changesStream.streamName });
    new CfnOutput(this, 'FailedEventsBucketName', { value: this.data.failedEventsBucket.bucketName });
    new CfnOutput(this, 'ModelsBucketName', { value: this.data.modelsBucket.bucketName });
    new CfnOutput(this, 'InteractionsBucketName', { value: this.data.interactionsBucket.bucketName });
  }
}
