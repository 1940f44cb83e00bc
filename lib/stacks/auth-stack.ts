import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Auth, type AuthProps } from '../constructs/auth.ts';

export type AuthStackProps = StackProps & AuthProps;

/** Stateful: the Cognito user pool of the dashboard's users (retained on delete). */
export class AuthStack extends Stack {
  public readonly auth: Auth;
  constructor(scope: Construct, id: string, props: AuthStackProps) {
    super(scope, id, props);
    this.auth = new Auth(this, 'Auth', props);
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.auth.client.userPoolClientId });
    new CfnOutput(this, 'SignInDomain', { value: this.auth.domain.baseUrl() });
  }
}
