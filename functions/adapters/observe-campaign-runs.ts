/**
 * CampaignRuns (functions/domain/observe/ports.ts) on Step Functions: the Campaign state
 * machine's executions, named by campaign id. Locally the same client talks to the local
 * platform's loopback Step Functions API (AWS_ENDPOINT_URL_SFN).
 */
import { DescribeExecutionCommand, ListExecutionsCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { CampaignRun, CampaignRuns } from '../domain/observe/ports.ts';

const iso = (d: Date | undefined) => (d ? new Date(d).toISOString() : undefined);
/** A listing is for a dashboard: the newest 500 executions are plenty, and the loop is bounded. */
const MAX_PAGES = 5;

export class SfnCampaignRuns implements CampaignRuns {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  private executionArn(campaignId: string) {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${campaignId}`;
  }

  async start(campaignId: string, input: string) {
    try {
      const out = await this.sfn.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: campaignId, input }));
      return { executionArn: out.executionArn!, started: true };
    } catch (err) {
      // The execution name is the campaign id: a second start is refused and sends nothing.
      if ((err as Error).name === 'ExecutionAlreadyExists') return { executionArn: this.executionArn(campaignId), started: false };
      throw err;
    }
  }

  async describe(campaignId: string): Promise<CampaignRun | undefined> {
    try {
      const d = await this.sfn.send(new DescribeExecutionCommand({ executionArn: this.executionArn(campaignId) }));
      return { campaignId, status: d.status ?? 'UNKNOWN', ...(d.startDate ? { startedAt: iso(d.startDate) } : {}), ...(d.stopDate ? { stoppedAt: iso(d.stopDate) } : {}), ...(d.error ? { error: d.error } : {}) };
    } catch (err) {
      if ((err as Error).name === 'ExecutionDoesNotExist' || /does not exist|no execution/i.test((err as Error).message)) return undefined;
      throw err;
    }
  }

  async list(): Promise<CampaignRun[]> {
    const out: CampaignRun[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const r = await this.sfn.send(new ListExecutionsCommand({ stateMachineArn: this.stateMachineArn, maxResults: 100, nextToken }));
      for (const e of r.executions ?? []) out.push({ campaignId: e.name!, status: e.status ?? 'UNKNOWN', ...(e.startDate ? { startedAt: iso(e.startDate) } : {}), ...(e.stopDate ? { stoppedAt: iso(e.stopDate) } : {}) });
      nextToken = r.nextToken;
      if (!nextToken) break;
    }
    return out;
  }
}
