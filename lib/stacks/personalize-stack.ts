import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PersonalizeDatasets, type PersonalizeDatasetsProps } from '../constructs/personalize.ts';

export type PersonalizeStackProps = StackProps & PersonalizeDatasetsProps;

/** Stateful: the Personalize dataset group, datasets and solution. */
export class PersonalizeStack extends Stack {
  public readonly personalize: PersonalizeDatasets;
  constructor(scope: Construct, id: string, props: PersonalizeStackProps) {
    super(scope, id, props);
    this.personalize = new PersonalizeDatasets(this, 'Personalize', props);
    new CfnOutput(this, 'DatasetGroupArn', { value: this.personalize.datasetGroupArn });
    new CfnOutput(this, 'ItemsDatasetArn', { value: this.personalize.itemsDatasetArn });
  }
}
