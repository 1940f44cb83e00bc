import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Clean, type CleanProps } from '../constructs/clean.ts';

export type CleanStackProps = StackProps & CleanProps;

/** Stateless: the clean consumer. */
export class CleanStack extends Stack {
  public readonly clean: Clean;
  constructor(scope: Construct, id: string, props: CleanStackProps) {
    super(scope, id, props);
    this.clean = new Clean(this, 'Clean', props);
  }
}
