import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Clean, type CleanProps } from '../constructs/clean.ts';
import { Operations } from '../constructs/operations.ts';

export type CleanStackProps = StackProps & CleanProps;

/** Stateless: the clean consumer. */
export class CleanStack extends Stack {
  public readonly clean: Clean;
  constructor(scope: Construct, id: string, props: CleanStackProps) {
    super(scope, id, props);
    this.clean = new Clean(this, 'Clean', props);
    new Operations(this, 'Operations', { title: 'Clean', consumers: { 'clean-events': this.clean.fn.fn }, alarms: [this.clean.consumer.iteratorAgeAlarm, this.clean.consumer.errorsAlarm, this.clean.consumer.failedEventsAlarm] });
  }
}
