/**
 * Amazon Personalize, the stateful part: one dataset group with its interactions, items and
 * users schemas and datasets, the solution the training workflow re-trains, and the role
 * Personalize assumes to import from the interactions bucket.
 *
 * - Schemas match what Sightline writes: interactions are the archive consumer's CSV
 *   (functions/domain/recommend/interaction-log.ts), items the catalog export
 *   (functions/domain/recommend/catalog.ts). Users hold non-personal traits only (country).
 * - Recipe: aws-user-personalization-v2, Personalize's current user-personalization recipe
 *   (it trains on interactions alone and uses item metadata when present; exploration for new
 *   items). Similar items are answered by the embedded recommender (no SIMS campaign: one
 *   campaign's minimum provisioned TPS is the largest fixed cost here).
 * - Campaigns, filters and the event tracker have no CloudFormation types: the training
 *   workflow (recommender-training.ts) creates them.
 * - Personalize encrypts datasets at rest with AWS-owned keys; the S3 sources are KMS-encrypted
 *   (data.ts), and the key policy lets Personalize decrypt them for this account only.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { type IManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnDataset, CfnDatasetGroup, CfnSchema, CfnSolution } from 'aws-cdk-lib/aws-personalize';
import { Construct } from 'constructs';

export interface PersonalizeDatasetsProps {
  /** Read access to the interactions bucket (data.ts `interactionsReaderPolicy`). */
  readonly interactionsReaderPolicy: IManagedPolicy;
  /** @default 'sightline' */
  readonly name?: string;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

const avro = (name: string, fields: object[]) => JSON.stringify({ type: 'record', name, namespace: 'com.amazonaws.personalize.schema', fields, version: '1.0' });

export const INTERACTIONS_SCHEMA = avro('Interactions', [
  { name: 'USER_ID', type: 'string' },
  { name: 'ITEM_ID', type: 'string' },
  { name: 'TIMESTAMP', type: 'long' },
  { name: 'EVENT_TYPE', type: 'string' },
  { name: 'QUANTITY', type: ['null', 'float'] },
  { name: 'COUNTRY', type: ['null', 'string'], categorical: true },
]);
export const ITEMS_SCHEMA = avro('Items', [
  { name: 'ITEM_ID', type: 'string' },
  { name: 'CATEGORY', type: ['null', 'string'], categorical: true },
  { name: 'PRICE', type: ['null', 'float'] },
  { name: 'DESCRIPTION', type: ['null', 'string'], textual: true },
]);
export const USERS_SCHEMA = avro('Users', [
  { name: 'USER_ID', type: 'string' },
  { name: 'COUNTRY', type: ['null', 'string'], categorical: true },
]);

export class PersonalizeDatasets extends Construct {
  public readonly datasetGroupArn: string;
  public readonly interactionsDatasetArn: string;
  public readonly itemsDatasetArn: string;
  public readonly usersDatasetArn: string;
  public readonly solutionArn: string;
  /** The role dataset import jobs run as. */
  public readonly importRole: Role;

  constructor(scope: Construct, id: string, props: PersonalizeDatasetsProps) {
    super(scope, id);
    const name = props.name ?? 'sightline';
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const group = new CfnDatasetGroup(this, 'DatasetGroup', { name });
    group.applyRemovalPolicy(removalPolicy);
    this.datasetGroupArn = group.attrDatasetGroupArn;
    const dataset = (kind: 'Interactions' | 'Items' | 'Users', schema: string) => {
      const s = new CfnSchema(this, `${kind}Schema`, { name: `${name}-${kind.toLowerCase()}`, schema });
      const d = new CfnDataset(this, `${kind}Dataset`, { name: `${name}-${kind.toLowerCase()}`, datasetGroupArn: group.attrDatasetGroupArn, datasetType: kind, schemaArn: s.attrSchemaArn });
      s.applyRemovalPolicy(removalPolicy);
      d.applyRemovalPolicy(removalPolicy);
      return d.attrDatasetArn;
    };
    this.interactionsDatasetArn = dataset('Interactions', INTERACTIONS_SCHEMA);
    this.itemsDatasetArn = dataset('Items', ITEMS_SCHEMA);
    this.usersDatasetArn = dataset('Users', USERS_SCHEMA);

    const solution = new CfnSolution(this, 'Solution', {
      name: `${name}-user-personalization`,
      datasetGroupArn: group.attrDatasetGroupArn,
      recipeArn: 'arn:aws:personalize:::recipe/aws-user-personalization-v2',
    });
    solution.applyRemovalPolicy(removalPolicy);
    this.solutionArn = solution.attrSolutionArn;

    this.importRole = new Role(this, 'ImportRole', {
      assumedBy: new ServicePrincipal('personalize.amazonaws.com'),
      description: 'Sightline: Personalize dataset imports read the interactions bucket',
      managedPolicies: [props.interactionsReaderPolicy],
    });
  }
}
