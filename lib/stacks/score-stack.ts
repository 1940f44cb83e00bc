import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Score, type ScoreProps } from '../constructs/score.ts';
import { Operations } from '../constructs/operations.ts';

export type ScoreStackProps = StackProps & ScoreProps;

/** Stateless: the score consumer, the daily re-scoring, weekly training and drift checks. */
export class ScoreStack extends Stack {
  public readonly score: Score;
  constructor(scope: Construct, id: string, props: ScoreStackProps) {
    super(scope, id, props);
    this.score = new Score(this, 'Score', props);
    new Operations(this, 'Operations', { title: 'Score', consumers: { 'score-profiles': this.score.scoreFunction.fn }, alarms: [this.score.consumer.iteratorAgeAlarm, this.score.consumer.errorsAlarm, ...this.score.driftAlarms], stateMachines: [this.score.rescore] });
  }
}
