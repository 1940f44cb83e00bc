/**
 * The one place a Lambda function is configured: Node 24 on arm64, X-Ray, a log group with
 * retention, esbuild bundling done locally (no Docker), and the environment typed from the
 * function's zod schema (schemas/env/functions.ts).
 *
 * The CloudFormation metadata `sightline:function` names the handler file: the embedded
 * local platform reads it from the synthesized template to run the same handler.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type IManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, CfnFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../local/config.ts';
import type { EnvOf, FunctionName } from '../../schemas/env/functions.ts';



export interface SightlineFunctionProps<F extends FunctionName> {
  /** Handler file: functions/handlers/<functionName>.ts */
  readonly functionName: F;
  /** Typed from the function's environment schema. */
  readonly environment: EnvOf<F>;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  readonly description?: string;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * Customer-managed policies for the function's role, such as the failed-events writer
   * policy (data.ts), owned by the stack of the resource they grant on.
   * @default none
   */
  readonly managedPolicies?: IManagedPolicy[];
}

export class SightlineFunction<F extends FunctionName> extends Construct {
  public readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: SightlineFunctionProps<F>) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An explicit role: logs go to this function's own log group only (no AWS managed policy).
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), managedPolicies: props.managedPolicies });
    logGroup.grantWrite(role);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) supports no resource-level permissions; every other statement names its resource.',
    });
    this.fn = new NodejsFunction(this, 'Function', {
      role,
      entry: join(REPO_ROOT, 'functions', 'handlers', `${props.functionName}.ts`),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      description: props.description,
      tracing: Tracing.ACTIVE,
      logGroup,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.functionName,
        POWERTOOLS_METRICS_NAMESPACE: 'Sightline',
        NODE_OPTIONS: '--enable-source-maps',
        ...(props.environment as Record<string, string>),
      },
      bundling: {
        // The AWS SDK is bundled too, so Lambda runs the versions the tests ran.
        externalModules: [],
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      },
    });
    (this.fn.node.defaultChild as CfnFunction).addMetadata('sightline:function', props.functionName);
  }
}
