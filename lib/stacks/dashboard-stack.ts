import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Dashboard, type DashboardProps } from '../constructs/dashboard.ts';

export type DashboardStackProps = StackProps & DashboardProps;

/** The dashboard's static site (S3 + CloudFront with origin access control), in front of the admin API. */
export class DashboardStack extends Stack {
  public readonly dashboard: Dashboard;
  constructor(scope: Construct, id: string, props: DashboardStackProps) {
    super(scope, id, props);
    this.dashboard = new Dashboard(this, 'Dashboard', props);
    new CfnOutput(this, 'DashboardUrl', { value: `https://${this.dashboard.distribution.distributionDomainName}/dashboard/` });
    new CfnOutput(this, 'DashboardBucket', { value: this.dashboard.bucket.bucketName });
  }
}
