import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Collect, type CollectProps } from '../constructs/collect.ts';
import { Operations } from '../constructs/operations.ts';

export type CollectStackProps = StackProps & CollectProps;

/** Stateless: the event API. */
export class CollectStack extends Stack {
  public readonly collect: Collect;
  constructor(scope: Construct, id: string, props: CollectStackProps) {
    super(scope, id, props);
    this.collect = new Collect(this, 'Collect', props);
    new Operations(this, 'Operations', { title: 'Collect', httpApis: [this.collect.api] });
    new CfnOutput(this, 'ApiUrl', { value: this.collect.api.apiEndpoint });
  }
}
