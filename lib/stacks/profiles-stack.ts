import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Profiles } from '../constructs/profiles.ts';
import { Operations } from '../constructs/operations.ts';

/** Stateful: the profiles, idempotency and sources tables. */
export class ProfilesStack extends Stack {
  public readonly profiles: Profiles;
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.profiles = new Profiles(this, 'Profiles');
    new Operations(this, 'Operations', { title: 'Profiles', tables: [this.profiles.profilesTable, this.profiles.campaignsTable, this.profiles.sourcesTable, this.profiles.idempotencyTable] });
    new CfnOutput(this, 'ProfilesTableName', { value: this.profiles.profilesTable.tableName });
    new CfnOutput(this, 'SourcesTableName', { value: this.profiles.sourcesTable.tableName });
    new CfnOutput(this, 'IdempotencyTableName', { value: this.profiles.idempotencyTable.tableName });
    new CfnOutput(this, 'CampaignsTableName', { value: this.profiles.campaignsTable.tableName });
  }
}
