import { Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IManagedPolicy } from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { Tag } from '../constructs/tag.ts';

export interface TagStackProps extends StackProps {
  readonly cleanStream: IStream;
  readonly profilesTable: ITable;
  readonly failedEventsBucket: IBucket;
  readonly failedEventsWriterPolicy: IManagedPolicy;
  readonly clock?: 'event' | 'wall';
  readonly changesStream?: IStream;
}

/** Stateless: the tag consumer. */
export class TagStack extends Stack {
  public readonly tag: Tag;
  constructor(scope: Construct, id: string, props: TagStackProps) {
    super(scope, id, props);
    this.tag = new Tag(this, 'Tag', props);
  }
}
