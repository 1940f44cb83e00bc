/**
 * Executions of the CDK app's state machines on the local platform, run by
 * aws-local-stepfunctions on the definition exactly as synthesized (local/cdk-model.ts);
 * each Lambda task is served by its function's worker. Kept as AWS keeps them, so the
 * loopback Step Functions API (local/sfn-api.ts) can answer StartExecution, DescribeExecution,
 * ListExecutions, StopExecution and GetExecutionHistory like the service.
 *
 * Written here because aws-local-stepfunctions runs one definition in-process and keeps no
 * executions; nothing on npm keeps them behind the Step Functions API without Docker.
 * - Execution names are unique per state machine (AWS keeps them 90 days): starting the same
 *   name with the same input returns the existing execution, with another input it is
 *   ExecutionAlreadyExists — which is what makes "execution name = campaign id" exactly once.
 * - Wait states really wait unless `waitOverrides` says otherwise (tests pass 0 for all).
 * - The counts of state transitions and history events are kept for the benchmarks.
 */
import { randomUUID } from 'node:crypto';
import { ExecutionAbortedError, StateMachine } from 'aws-local-stepfunctions';
import type { LocalModel, StateMachineSpec } from './cdk-model.ts';
import type { LocalFunction } from './function-host.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface LocalExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  transitions: number;
  history: { timestamp: Date; type: string; id: number; details?: Record<string, unknown> }[];
  done: Promise<LocalExecution>;
}

export class ExecutionAlreadyExists extends Error {
  constructor(name: string) {
    super(`Execution Already Exists: '${name}'`);
    this.name = 'ExecutionAlreadyExists';
  }
}
export class StateMachineDoesNotExist extends Error {
  constructor(arn: string) {
    super(`State Machine Does Not Exist: '${arn}'`);
    this.name = 'StateMachineDoesNotExist';
  }
}
export class ExecutionDoesNotExist extends Error {
  constructor(arn: string) {
    super(`Execution Does Not Exist: '${arn}'`);
    this.name = 'ExecutionDoesNotExist';
  }
}

/** Wait state name → milliseconds; a number applies to every Wait state. */
export type WaitOverrides = Record<string, number> | number;

function waitStates(states: Record<string, { Type: string; ItemProcessor?: { States: never }; Iterator?: { States: never }; Branches?: { States: never }[] }>, out: string[] = []): string[] {
  for (const [name, st] of Object.entries(states ?? {})) {
    if (st.Type === 'Wait') out.push(name);
    if (st.ItemProcessor?.States) waitStates(st.ItemProcessor.States, out);
    if (st.Iterator?.States) waitStates(st.Iterator.States, out);
    for (const b of st.Branches ?? []) waitStates(b.States, out);
  }
  return out;
}

export class LocalStepFunctions {
  private readonly executions = new Map<string, LocalExecution>();
  private readonly aborts = new Map<string, () => void>();

  constructor(
    private readonly model: Pick<LocalModel, 'stateMachines'>,
    private readonly functions: Map<string, Pick<LocalFunction, 'invoke'>>,
    private readonly waitOverrides?: WaitOverrides,
  ) {}

  get stateMachines(): StateMachineSpec[] {
    return this.model.stateMachines;
  }

  /** The state machine whose logical id contains `hint` (e.g. 'Campaign'). */
  find(hint: string): StateMachineSpec {
    const sm = this.model.stateMachines.find((s) => s.arn === hint || s.logicalId.includes(hint));
    if (!sm) throw new StateMachineDoesNotExist(hint);
    return sm;
  }

  start(stateMachineArn: string, input: string, name: string = randomUUID(), waitOverrides = this.waitOverrides): LocalExecution {
    const sm = this.model.stateMachines.find((s) => s.arn === stateMachineArn);
    if (!sm) throw new StateMachineDoesNotExist(stateMachineArn);
    const executionArn = `${sm.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.input === input) return existing;
      throw new ExecutionAlreadyExists(name);
    }
    const handlers = Object.fromEntries(
      Object.entries(sm.taskFunctions).map(([state, fn]) => [
        state,
        async (payload: unknown) => {
          const f = this.functions.get(fn);
          if (!f) throw new Error(`no local function ${fn} for task ${state}`);
          return f.invoke(payload);
        },
      ]),
    );
    const waits = waitOverrides === undefined ? undefined : typeof waitOverrides === 'number' ? Object.fromEntries(waitStates(sm.definition.States).map((w) => [w, waitOverrides])) : waitOverrides;
    const run = new StateMachine(sm.definition, { validationOptions: { checkArn: false } }).run(JSON.parse(input), {
      overrides: { taskResourceLocalHandlers: handlers as never, ...(waits ? { waitTimeOverrides: waits } : {}) },
      context: { Execution: { Id: executionArn, Name: name, StartTime: new Date().toISOString(), Input: JSON.parse(input) } } as never,
    });
    const execution: LocalExecution = { executionArn, stateMachineArn, name, status: 'RUNNING', startDate: new Date(), input, transitions: 0, history: [], done: undefined as never };
    this.executions.set(executionArn, execution);
    this.aborts.set(executionArn, run.abort);
    const logs = (async () => {
      let id = 0;
      for await (const e of run.eventLogs) {
        const { type, timestamp, ...details } = e as { type: string; timestamp: number };
        if (type === 'StateEntered') execution.transitions += 1;
        execution.history.push({ timestamp: new Date(timestamp), type, id: ++id, details });
      }
    })().catch(() => undefined);
    execution.done = run.result
      .then((out) => Object.assign(execution, { status: 'SUCCEEDED' as const, output: JSON.stringify(out) }))
      .catch((err: Error & { cause?: unknown }) => {
        if (err instanceof ExecutionAbortedError) return Object.assign(execution, { status: 'ABORTED' as const });
        const inner = (err as { cause?: { name?: string; message?: string } }).cause;
        return Object.assign(execution, { status: 'FAILED' as const, error: inner?.name ?? err.name, cause: inner?.message ?? err.message });
      })
      .then(async (x) => {
        x.stopDate = new Date();
        this.aborts.delete(executionArn);
        await logs;
        return x;
      });
    return execution;
  }

  describe(executionArn: string): LocalExecution {
    const e = this.executions.get(executionArn);
    if (!e) throw new ExecutionDoesNotExist(executionArn);
    return e;
  }

  list(stateMachineArn: string): LocalExecution[] {
    return [...this.executions.values()].filter((e) => e.stateMachineArn === stateMachineArn).sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
  }

  stop(executionArn: string): LocalExecution {
    const e = this.describe(executionArn);
    this.aborts.get(executionArn)?.();
    return e;
  }
}
