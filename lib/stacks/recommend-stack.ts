import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Recommend, type RecommendProps } from '../constructs/recommend.ts';
import { Operations } from '../constructs/operations.ts';

export type RecommendStackProps = StackProps & RecommendProps;

/** Stateless: the interactions archive and the recommendations API. */
export class RecommendStack extends Stack {
  public readonly recommend: Recommend;
  constructor(scope: Construct, id: string, props: RecommendStackProps) {
    super(scope, id, props);
    this.recommend = new Recommend(this, 'Recommend', props);
    new Operations(this, 'Operations', { title: 'Recommend', consumers: { 'archive-interactions': this.recommend.archiveFunction.fn }, alarms: [this.recommend.consumer.iteratorAgeAlarm, this.recommend.consumer.errorsAlarm], stateMachines: this.recommend.training ? [this.recommend.training.stateMachine] : [] });
  }
}
