import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Recommend, type RecommendProps } from '../constructs/recommend.ts';

export type RecommendStackProps = StackProps & RecommendProps;

/** Stateless: the interactions archive and the recommendations API. */
export class RecommendStack extends Stack {
  public readonly recommend: Recommend;
  constructor(scope: Construct, id: string, props: RecommendStackProps) {
    super(scope, id, props);
    this.recommend = new Recommend(this, 'Recommend', props);
  }
}
