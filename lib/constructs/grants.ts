/**
 * Least-privilege grants, written out where CDK's convenience grants would add wildcard
 * actions (`grantReadWriteData` → kms:ReEncrypt*, kms:GenerateDataKey*).
 */
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';

/** Named DynamoDB item actions on one table, and the KMS actions its customer-managed key needs. */
export function grantItems(grantee: IGrantable, table: ITable, actions: string[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: actions.map((a) => `dynamodb:${a}`), resources: [table.tableArn] }));
  if (table.encryptionKey) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], resources: [table.encryptionKey.keyArn] }),
    );
  }
}

