import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Tag, type TagProps } from '../constructs/tag.ts';
import { Operations } from '../constructs/operations.ts';

export type TagStackProps = StackProps & TagProps;

/** Stateless: the tag consumer. */
export class TagStack extends Stack {
  public readonly tag: Tag;
  constructor(scope: Construct, id: string, props: TagStackProps) {
    super(scope, id, props);
    this.tag = new Tag(this, 'Tag', props);
    new Operations(this, 'Operations', { title: 'Tag', consumers: { 'tag-profiles': this.tag.fn.fn }, alarms: [this.tag.consumer.iteratorAgeAlarm, this.tag.consumer.errorsAlarm, this.tag.consumer.failedEventsAlarm] });
  }
}
