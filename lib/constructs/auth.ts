/**
 * Auth: the Cognito user pool operators and marketers sign in to for the dashboard; the
 * admin API's JWT authoriser trusts it (lib/constructs/admin-api.ts).
 * 1. No self sign-up: an administrator invites each user (`aws cognito-idp admin-create-user`).
 * 2. Strong passwords, TOTP MFA required, email for recovery only.
 * 3. A hosted sign-in domain and one public app client (authorization code + PKCE, no secret:
 *    the dashboard is a static page) whose callback is the dashboard's URL.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccountRecovery, FeaturePlan, Mfa, OAuthScope, UserPool, type UserPoolClient, type UserPoolDomain } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export interface AuthProps {
  /** Where the dashboard is served (sign-in returns there), e.g. https://d123.cloudfront.net/dashboard/. */
  readonly dashboardUrls: string[];
  /** Hosted sign-in prefix: <prefix>.auth.<region>.amazoncognito.com. */
  readonly domainPrefix: string;
}

export class Auth extends Construct {
  public readonly userPool: UserPool;
  public readonly client: UserPoolClient;
  public readonly domain: UserPoolDomain;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 14, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const plus = 'Threat protection (advanced security) needs the Plus feature plan, billed per monthly active user; a handful of invited, MFA-enforced staff accounts without self sign-up does not warrant it. Enable it with featurePlan PLUS where policy requires.';
    Validations.of(this.userPool).acknowledge({ id: 'AwsSolutions-COG8', reason: plus }, { id: 'AwsSolutions-COG3', reason: plus });
    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });
    this.client = this.userPool.addClient('Dashboard', {
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: { flows: { authorizationCodeGrant: true }, scopes: [OAuthScope.OPENID, OAuthScope.EMAIL], callbackUrls: props.dashboardUrls, logoutUrls: props.dashboardUrls },
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      preventUserExistenceErrors: true,
    });
  }
}
