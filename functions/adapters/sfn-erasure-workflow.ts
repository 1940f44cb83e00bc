/**
 * ErasureWorkflow on Step Functions (functions/domain/privacy/ports.ts).
 *
 * Execution names are unique per state machine for 90 days (Standard). StartExecution with
 * the name of a running execution and the same input returns it (idempotent); with a closed
 * one it is ExecutionAlreadyExists. So: try the name; if it exists, describe it; a running or
 * succeeded execution is the answer (the request joins it); a failed, timed-out or aborted
 * one means "resume": the next attempt's name (`<name>-2`, …), up to MAX_ATTEMPTS. The local
 * Step Functions API returns an existing execution of the same name and input whatever its
 * status, so the status is checked after every start, not only on the error.
 */
import { DescribeExecutionCommand, ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { ErasureWorkflow } from '../domain/privacy/ports.ts';

const MAX_ATTEMPTS = 20;
const CLOSED_UNSUCCESSFULLY = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

export class SfnErasureWorkflow implements ErasureWorkflow {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(name: string, input: { job: string }): Promise<{ executionName: string; executionArn: string }> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const executionName = attempt === 1 ? name : `${name}-${attempt}`;
      const executionArn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
      try {
        await this.sfn.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: executionName, input: JSON.stringify(input) }));
      } catch (err) {
        if (!(err instanceof ExecutionAlreadyExists) && (err as { name?: string }).name !== 'ExecutionAlreadyExists') throw err;
      }
      const d = await this.sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (!CLOSED_UNSUCCESSFULLY.has(String(d.status))) return { executionName, executionArn };
    }
    throw new Error(`erasure: ${MAX_ATTEMPTS} attempts of ${name} ended unsuccessfully; see their executions`);
  }
}
