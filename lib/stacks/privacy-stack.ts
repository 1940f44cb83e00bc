import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Privacy, type PrivacyProps } from '../constructs/privacy.ts';
import { Operations } from '../constructs/operations.ts';

export type PrivacyStackProps = StackProps & PrivacyProps;

/** The right of access and erasure: the export and erase routes, the Erasure state machine, its jobs and receipts. */
export class PrivacyStack extends Stack {
  public readonly privacy: Privacy;
  constructor(scope: Construct, id: string, props: PrivacyStackProps) {
    super(scope, id, props);
    this.privacy = new Privacy(this, 'Privacy', props);
    new Operations(this, 'Operations', { title: 'Privacy', stateMachines: [this.privacy.stateMachine], tables: [this.privacy.table] });
    new CfnOutput(this, 'ErasureStateMachineArn', { value: this.privacy.stateMachine.stateMachineArn });
    new CfnOutput(this, 'PrivacyTableName', { value: this.privacy.table.tableName });
  }
}
