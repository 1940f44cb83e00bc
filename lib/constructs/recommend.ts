/**
 * Recommend: the serving and data side of recommendations.
 *
 * 1. archive-interactions consumes the clean stream and writes purchases and views to the
 *    interactions bucket, one CSV object per batch (training data for the embedded
 *    recommender and Personalize imports). Large batches and a 10 s window: fewer, larger
 *    objects, which is what both trainers read best.
 * 2. get-recommendations answers GET /v1/recommendations/{userId} and
 *    GET /v1/items/{itemId}/similar on the Collect stack's HTTP API, IAM-authorised (the
 *    answer reveals what a person bought). It reads the model registry (models bucket) and
 *    a profile's country for the cold-start fallback; it can read nothing else.
 * 3. With Personalize (optional prop): the training workflow (recommender-training.ts), and
 *    grants for serving to call the campaign and for the archive to feed the event tracker.
 */
import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import { HttpMethod, HttpRoute, HttpRouteKey, type IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { SightlineFunction } from './node-function.ts';
import { StreamConsumer } from './stream-consumer.ts';
import { grantItems } from './grants.ts';
import { RecommenderTraining, type RecommenderTrainingProps } from './recommender-training.ts';

export interface RecommendProps {
  readonly cleanStream: IStream;
  readonly interactionsBucket: IBucket;
  readonly modelsBucket: IBucket;
  readonly profilesTable: ITable;
  readonly failedEventsBucket: IBucket;
  /** Put-only access to the failed-events bucket (data.ts). */
  readonly failedEventsWriterPolicy: IManagedPolicy;
  /** Put objects under interactions/ (data.ts). */
  readonly interactionsWriterPolicy: IManagedPolicy;
  /** Read the model registry (data.ts). */
  readonly modelsReaderPolicy: IManagedPolicy;
  /** The API the routes are added to (Collect's). */
  readonly httpApi: IHttpApi;
  /**
   * Amazon Personalize (personalize.ts). With it, the training workflow is deployed, serving
   * prefers the Personalize campaign once the workflow has published it, and the archive
   * feeds the event tracker. Without it, the embedded recommender serves alone.
   * @default none
   */
  readonly personalize?: Omit<RecommenderTrainingProps, 'interactionsBucket' | 'modelsBucket' | 'schedule' | 'name'>;
}

export class Recommend extends Construct {
  public readonly archiveFunction: SightlineFunction<'archive-interactions'>;
  public readonly serveFunction: SightlineFunction<'get-recommendations'>;
  public readonly consumer: StreamConsumer;
  public readonly training?: RecommenderTraining;

  constructor(scope: Construct, id: string, props: RecommendProps) {
    super(scope, id);
    this.archiveFunction = new SightlineFunction(this, 'ArchiveInteractions', {
      functionName: 'archive-interactions',
      environment: { INTERACTIONS_BUCKET: props.interactionsBucket.bucketName, FAILED_EVENTS_BUCKET: props.failedEventsBucket.bucketName },
      memorySize: 512,
      timeout: Duration.seconds(60),
      description: 'Archive purchases and views for recommender training',
      managedPolicies: [props.failedEventsWriterPolicy, props.interactionsWriterPolicy],
    });
    this.consumer = new StreamConsumer(this, 'Consumer', {
      fn: this.archiveFunction.fn,
      stream: props.cleanStream,
      failedEventsBucket: props.failedEventsBucket,
      failedEventsWriterPolicy: props.failedEventsWriterPolicy,
      serviceName: 'archive-interactions',
      batchSize: 2000,
      maxBatchingWindow: Duration.seconds(10),
    });

    this.serveFunction = new SightlineFunction(this, 'GetRecommendations', {
      functionName: 'get-recommendations',
      environment: { MODELS_BUCKET: props.modelsBucket.bucketName, PROFILES_TABLE_NAME: props.profilesTable.tableName },
      // The EASE model of the full Online Retail file parses into ~100 MB of typed arrays.
      memorySize: 1024,
      timeout: Duration.seconds(10),
      description: 'Recommendations and similar items',
      managedPolicies: [props.modelsReaderPolicy],
    });
    grantItems(this.serveFunction.fn, props.profilesTable, ['GetItem']);
    if (props.personalize) {
      this.training = new RecommenderTraining(this, 'Training', { ...props.personalize, interactionsBucket: props.interactionsBucket, modelsBucket: props.modelsBucket });
      const { region, account, partition } = Stack.of(this);
      const arn = (type: string) => `arn:${partition}:personalize:${region}:${account}:${type}/*`;
      this.serveFunction.fn.addToRolePolicy(new PolicyStatement({ actions: ['personalize:GetRecommendations'], resources: [arn('campaign'), arn('filter')] }));
      this.archiveFunction.fn.addToRolePolicy(new PolicyStatement({ actions: ['personalize:PutEvents'], resources: [arn('event-tracker')] }));
      this.archiveFunction.fn.addEnvironment('MODELS_BUCKET', props.modelsBucket.bucketName);
      this.archiveFunction.fn.role!.addManagedPolicy(props.personalize.pointerReaderPolicy);
      // cdk-nag spells an unresolved region/account as <AWS::Region>; a stack deployed with
      // an explicit env (cdk synth with a configured profile) has the literal value instead.
      const spell = (v: string, name: string) => (Token.isUnresolved(v) ? `<AWS::${name}>` : v);
      const evidence = (type: string) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:${spell(region, 'Region')}:${spell(account, 'AccountId')}:${type}/*]`;
      for (const fn of [this.serveFunction, this.archiveFunction]) {
        Validations.of(fn.fn.role!).acknowledge({
          id: evidence(fn === this.serveFunction ? 'campaign' : 'event-tracker'),
          reason: 'The campaign and event tracker are created by the training workflow with generated ids after this stack deploys; the grant is one action on this account and region\'s Personalize resources of that type.',
        });
      }
      Validations.of(this.serveFunction.fn.role!).acknowledge({
        id: evidence('filter'),
        reason: 'GetRecommendations with a filter checks the filter ARN too; the filter is created by the training workflow.',
      });
    }
    const integration = new HttpLambdaIntegration('Recommendations', this.serveFunction.fn);
    for (const [rid, path] of [
      ['Recommendations', '/v1/recommendations/{userId}'],
      ['SimilarItems', '/v1/items/{itemId}/similar'],
    ] as const) {
      new HttpRoute(this, rid, { httpApi: props.httpApi, routeKey: HttpRouteKey.with(path, HttpMethod.GET), integration, authorizer: new HttpIamAuthorizer() });
    }
  }
}
