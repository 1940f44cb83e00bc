/**
 * Profiles (stateful): the profiles table (profiles + identity graph, single-table; key
 * design in the README), the idempotency table (Powertools idempotency layout: `id` key,
 * `expiration` TTL), the sources table (write-key hash → source) and the campaigns table
 * (definitions, send records, frequency counters, suppression; keys in
 * functions/adapters/campaigns-table.ts, TTL `expiresAt`). Customer-managed KMS
 * key with rotation, point-in-time recovery, on-demand capacity, retained on stack deletion.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface ProfilesProps {
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class Profiles extends Construct {
  public readonly profilesTable: Table;
  public readonly idempotencyTable: Table;
  public readonly sourcesTable: Table;
  public readonly campaignsTable: Table;
  public readonly key: Key;

  constructor(scope: Construct, id: string, props: ProfilesProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.key = new Key(this, 'Key', { enableKeyRotation: true, description: 'Sightline profile tables', removalPolicy });
    const common = {
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy,
    };
    this.profilesTable = new Table(this, 'ProfilesTable', {
      ...common,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
    });
    this.idempotencyTable = new Table(this, 'IdempotencyTable', {
      ...common,
      partitionKey: { name: 'id', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
    });
    this.sourcesTable = new Table(this, 'SourcesTable', {
      ...common,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
    });
    this.campaignsTable = new Table(this, 'CampaignsTable', {
      ...common,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
    });
  }
}
