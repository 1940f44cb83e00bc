import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Campaigns, type CampaignsProps } from '../constructs/campaigns.ts';
import { Operations } from '../constructs/operations.ts';

export type CampaignsStackProps = StackProps & CampaignsProps;

/** Stateless: the Campaign state machine, its functions, the unsubscribe routes, the SES configuration set. */
export class CampaignsStack extends Stack {
  public readonly campaigns: Campaigns;
  constructor(scope: Construct, id: string, props: CampaignsStackProps) {
    super(scope, id, props);
    this.campaigns = new Campaigns(this, 'Campaigns', props);
    new Operations(this, 'Operations', { title: 'Campaigns', stateMachines: [this.campaigns.stateMachine], email: true });
    new CfnOutput(this, 'CampaignStateMachineArn', { value: this.campaigns.stateMachine.stateMachineArn });
    new CfnOutput(this, 'ConfigurationSetName', { value: this.campaigns.configurationSet.configurationSetName });
    new CfnOutput(this, 'WebhookSigningSecretArn', { value: this.campaigns.webhookSecret.secretArn, description: 'Receivers of webhook campaigns verify X-Sightline-Signature with this secret' });
  }
}
