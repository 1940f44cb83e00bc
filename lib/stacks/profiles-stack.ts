import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Profiles } from '../constructs/profiles.ts';

/** Stateful: the profiles, idempotency and sources tables. */
export class ProfilesStack extends Stack {
  public readonly profiles: Profiles;
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.profiles = new Profiles(this, 'Profiles');
    new CfnOutput(this, 'ProfilesTableName', { value: this.profiles.profilesTable.tableName });
    new CfnOutput(this, 'SourcesTableName', { value: this.profiles.sourcesTable.tableName });
    new CfnOutput(this, 'IdempotencyTableName', { value: this.profiles.idempotencyTable.tableName });
    new CfnOutput(this, 'CampaignsTableName', { value: this.profiles.campaignsTable.tableName });
  }
}
