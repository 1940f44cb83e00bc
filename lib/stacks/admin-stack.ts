import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AdminApi, type AdminApiProps } from '../constructs/admin-api.ts';
import { Operations } from '../constructs/operations.ts';

export type AdminStackProps = StackProps & AdminApiProps;

/** Stateless: the admin API (JWT-authorised routes and their five functions, public /openapi.json). */
export class AdminStack extends Stack {
  public readonly admin: AdminApi;
  constructor(scope: Construct, id: string, props: AdminStackProps) {
    super(scope, id, props);
    this.admin = new AdminApi(this, 'Admin', props);
    new Operations(this, 'Operations', { title: 'Admin', httpApis: [this.admin.api] });
    new CfnOutput(this, 'AdminApiUrl', { value: this.admin.api.apiEndpoint });
  }
}
