/**
 * The local platform's one source of truth is the CDK app itself: this module synthesizes
 * it in-process (esbuild bundling skipped: the local platform runs the TypeScript sources)
 * and reads the CloudFormation templates for what to create and run locally:
 * tables, streams, buckets, functions (with their environment), event source mappings and
 * HTTP API routes. Nothing here lists a resource by hand.
 *
 * Intrinsic functions are resolved against local names: Ref, Fn::GetAtt (Arn, StreamArn),
 * Fn::ImportValue (cross-stack references), Fn::Join, and the pseudo parameters.
 */
import { App } from 'aws-cdk-lib';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../bin/app.ts';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

type Json = any; // CloudFormation template fragments: shapes vary per resource type.

export interface TableSpec {
  logicalId: string;
  name: string;
  keySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
  attributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  globalSecondaryIndexes?: Json[];
  ttlAttribute?: string;
}
export interface StreamSpec {
  logicalId: string;
  name: string;
  arn: string;
}
export interface BucketSpec {
  logicalId: string;
  name: string;
  arn: string;
  /** Its lifecycle rule's expiration, in days: what the local expiry sweep applies (local/expiry-sweep.ts). */
  expirationDays?: number;
}
export interface FunctionSpec {
  logicalId: string;
  stack: string;
  /** Handler name: functions/handlers/<name>.ts. */
  name: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
}
export interface MappingSpec {
  functionName: string;
  streamName: string;
  batchSize: number;
  batchingWindowSeconds: number;
  bisectOnError: boolean;
  maxRetryAttempts: number;
  maxRecordAgeSeconds: number;
  reportBatchItemFailures: boolean;
  startingPosition: string;
  onFailureBucket?: string;
}
export interface RouteSpec {
  method: string;
  path: string;
  functionName: string;
  authorization: 'NONE' | 'CUSTOM' | 'AWS_IAM' | 'JWT';
  authorizerFunction?: string;
  authorizerCacheSeconds: number;
}
/** A state machine as synthesized, with each Lambda task's local handler. */
export interface StateMachineSpec {
  logicalId: string;
  stack: string;
  /** Local name, also the last part of its local ARN. */
  name: string;
  arn: string;
  definition: Json;
  /** Task state name → handler name (functions/handlers/<name>.ts), for every Lambda task at any depth. */
  taskFunctions: Record<string, string>;
}

export interface LocalModel {
  stateMachines: StateMachineSpec[];
  tables: TableSpec[];
  streams: StreamSpec[];
  buckets: BucketSpec[];
  functions: FunctionSpec[];
  mappings: MappingSpec[];
  routes: RouteSpec[];
}

interface StackTemplate {
  stackName: string;
  template: Json;
}

/** Synthesizes the app (no bundling) and returns each stack's template. */
export function synthesizeTemplates(): StackTemplate[] {
  const outdir = mkdtempSync(join(tmpdir(), 'sightline-synth-'));
  try {
    const app = new App({
      outdir,
      context: { 'aws:cdk:bundling-stacks': [], 'sightline:stage': 'local' },
    });
    buildApp(app);
    const assembly = app.synth();
    return assembly.stacks.map((s) => ({ stackName: s.stackName, template: s.template }));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 6);

function localName(kind: string, stack: string, logicalId: string): string {
  if (kind === 'AWS::S3::Bucket') {
    // S3 names: 3–63 lower-case characters, globally unique in AWS (locally just unique).
    return `sl-${short(stack + logicalId)}-${logicalId.toLowerCase().replace(/[^a-z0-9-]/g, '')}`.slice(0, 63);
  }
  return `${stack}-${logicalId}`.slice(0, 128);
}

export function readModel(stacks: StackTemplate[]): LocalModel {
  const names = new Map<string, { type: string; name: string; stack: string }>(); // "stack/logicalId"
  const exports = new Map<string, { stack: string; value: Json }>();
  for (const { stackName, template } of stacks) {
    for (const [id, r] of Object.entries<Json>(template.Resources ?? {})) {
      names.set(`${stackName}/${id}`, { type: r.Type, name: localName(r.Type, stackName, id), stack: stackName });
    }
    for (const o of Object.values<Json>(template.Outputs ?? {})) {
      if (o.Export?.Name) exports.set(typeof o.Export.Name === 'string' ? o.Export.Name : JSON.stringify(o.Export.Name), { stack: stackName, value: o.Value });
    }
  }

  function arnOf(type: string, name: string): string {
    if (type === 'AWS::DynamoDB::Table') return `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${name}`;
    if (type === 'AWS::Kinesis::Stream') return `arn:aws:kinesis:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stream/${name}`;
    if (type === 'AWS::S3::Bucket') return `arn:aws:s3:::${name}`;
    if (type === 'AWS::Lambda::Function') return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
    if (type === 'AWS::StepFunctions::StateMachine') return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;
    return `arn:aws:local:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${type}/${name}`;
  }

  function resolve(stack: string, v: Json): Json {
    if (typeof v !== 'object' || v === null) return v;
    if (Array.isArray(v)) return v.map((x) => resolve(stack, x));
    if ('Ref' in v) {
      const ref = v.Ref as string;
      if (ref === 'AWS::Region') return LOCAL_REGION;
      if (ref === 'AWS::AccountId') return LOCAL_ACCOUNT;
      if (ref === 'AWS::Partition') return 'aws';
      if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
      if (ref === 'AWS::StackName') return stack;
      const r = names.get(`${stack}/${ref}`);
      // As CloudFormation answers Ref: a state machine's is its ARN, everything else here its name.
      if (r?.type === 'AWS::StepFunctions::StateMachine') return arnOf(r.type, r.name);
      return r ? r.name : `unresolved:${ref}`;
    }
    if ('Fn::GetAtt' in v) {
      const [id, attr] = v['Fn::GetAtt'] as [string, string];
      const r = names.get(`${stack}/${id}`);
      if (!r) return `unresolved:${id}.${attr}`;
      if (attr === 'Arn' || attr === 'StreamArn') return arnOf(r.type, r.name);
      return r.name;
    }
    if ('Fn::ImportValue' in v) {
      const key = typeof v['Fn::ImportValue'] === 'string' ? v['Fn::ImportValue'] : JSON.stringify(v['Fn::ImportValue']);
      const e = exports.get(key);
      return e ? resolve(e.stack, e.value) : `unresolved-import:${key}`;
    }
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'] as [string, Json[]];
      return parts.map((p) => resolve(stack, p)).join(sep);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(stack, x)]));
  }

  const model: LocalModel = { tables: [], streams: [], buckets: [], functions: [], mappings: [], routes: [], stateMachines: [] };
  const functionByArn = new Map<string, string>();
  const byArn = new Map<string, { type: string; name: string }>();
  for (const [key, r] of names) {
    byArn.set(arnOf(r.type, r.name), r);
    if (r.type === 'AWS::Lambda::Function') functionByArn.set(arnOf(r.type, r.name), key);
  }
  const fnNameOf = new Map<string, string>(); // local function name -> handler name

  for (const { stackName, template } of stacks) {
    for (const [id, r] of Object.entries<Json>(template.Resources ?? {})) {
      const name = names.get(`${stackName}/${id}`)!.name;
      const p = r.Properties ?? {};
      if (r.Type === 'AWS::DynamoDB::Table' || r.Type === 'AWS::DynamoDB::GlobalTable') {
        model.tables.push({
          logicalId: id,
          name,
          keySchema: p.KeySchema,
          attributeDefinitions: p.AttributeDefinitions,
          globalSecondaryIndexes: p.GlobalSecondaryIndexes,
          ttlAttribute: p.TimeToLiveSpecification?.AttributeName,
        });
      } else if (r.Type === 'AWS::Kinesis::Stream') {
        model.streams.push({ logicalId: id, name, arn: arnOf(r.Type, name) });
      } else if (r.Type === 'AWS::S3::Bucket') {
        const expirationDays = (p.LifecycleConfiguration?.Rules as Json[] | undefined)?.map((rule) => rule.ExpirationInDays).find((d) => typeof d === 'number');
        model.buckets.push({ logicalId: id, name, arn: arnOf(r.Type, name), ...(expirationDays !== undefined ? { expirationDays } : {}) });
      } else if (r.Type === 'AWS::Lambda::Function' && r.Metadata?.['sightline:function']) {
        const handler = r.Metadata['sightline:function'] as string;
        fnNameOf.set(name, handler);
        model.functions.push({
          logicalId: id,
          stack: stackName,
          name: handler,
          environment: resolve(stackName, p.Environment?.Variables ?? {}),
          timeoutSeconds: p.Timeout ?? 3,
        });
      }
    }
  }

  const handlerOfRef = (stack: string, v: Json): string | undefined => {
    const resolved = resolve(stack, v) as string;
    return fnNameOf.get(resolved) ?? fnNameOf.get(resolved.split(':').pop()!) ?? [...fnNameOf].find(([n]) => resolved.includes(n))?.[1];
  };

  /** Lambda tasks of a definition, at any depth (Map item processors, Parallel branches). */
  const lambdaTasks = (states: Record<string, Json>, stack: string, out: Record<string, string>) => {
    for (const [stateName, st] of Object.entries<Json>(states ?? {})) {
      if (st.Type === 'Task') {
        const fn = handlerOfRef(stack, st.Parameters?.FunctionName ?? st.Resource);
        if (fn) out[stateName] = fn;
      }
      if (st.ItemProcessor?.States) lambdaTasks(st.ItemProcessor.States, stack, out);
      if (st.Iterator?.States) lambdaTasks(st.Iterator.States, stack, out);
      for (const b of st.Branches ?? []) lambdaTasks(b.States, stack, out);
    }
    return out;
  };

  for (const { stackName, template } of stacks) {
    const resources = template.Resources ?? {};
    for (const [id, r] of Object.entries<Json>(resources)) {
      if (r.Type !== 'AWS::StepFunctions::StateMachine') continue;
      const name = names.get(`${stackName}/${id}`)!.name;
      const definition = JSON.parse(resolve(stackName, r.Properties.DefinitionString) as string);
      model.stateMachines.push({ logicalId: id, stack: stackName, name, arn: `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`, definition, taskFunctions: lambdaTasks(definition.States, stackName, {}) });
    }
  }

  for (const { stackName, template } of stacks) {
    const resources = template.Resources ?? {};
    for (const r of Object.values<Json>(resources)) {
      const p = r.Properties ?? {};
      if (r.Type === 'AWS::Lambda::EventSourceMapping') {
        const fn = handlerOfRef(stackName, p.FunctionName);
        const streamArn = resolve(stackName, p.EventSourceArn) as string;
        const stream = byArn.get(streamArn);
        if (!fn || !stream || stream.type !== 'AWS::Kinesis::Stream') continue;
        const dest = p.DestinationConfig?.OnFailure?.Destination ? (resolve(stackName, p.DestinationConfig.OnFailure.Destination) as string) : undefined;
        model.mappings.push({
          functionName: fn,
          streamName: stream.name,
          batchSize: p.BatchSize ?? 100,
          batchingWindowSeconds: p.MaximumBatchingWindowInSeconds ?? 0,
          bisectOnError: !!p.BisectBatchOnFunctionError,
          maxRetryAttempts: p.MaximumRetryAttempts ?? -1,
          maxRecordAgeSeconds: p.MaximumRecordAgeInSeconds ?? -1,
          reportBatchItemFailures: (p.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
          startingPosition: p.StartingPosition ?? 'TRIM_HORIZON',
          onFailureBucket: dest?.startsWith('arn:aws:s3:::') ? dest.slice('arn:aws:s3:::'.length) : undefined,
        });
      } else if (r.Type === 'AWS::ApiGatewayV2::Route') {
        const [method, path] = String(p.RouteKey).split(' ');
        const target = resolve(stackName, p.Target) as string; // integrations/<IntegrationName>
        const integrationId = Object.entries<Json>(resources).find(
          ([id, x]) => x.Type === 'AWS::ApiGatewayV2::Integration' && target.endsWith(names.get(`${stackName}/${id}`)!.name),
        );
        const fn = integrationId ? handlerOfRef(stackName, integrationId[1].Properties.IntegrationUri) : undefined;
        if (!fn) continue;
        let authorizerFunction: string | undefined;
        let cache = 0;
        if (p.AuthorizerId) {
          const authorizer = resources[p.AuthorizerId.Ref];
          if (authorizer?.Properties?.AuthorizerUri) {
            authorizerFunction = handlerOfRef(stackName, authorizer.Properties.AuthorizerUri);
            cache = authorizer.Properties.AuthorizerResultTtlInSeconds ?? 0;
          }
        }
        model.routes.push({ method, path, functionName: fn, authorization: p.AuthorizationType ?? 'NONE', authorizerFunction, authorizerCacheSeconds: cache });
      }
    }
  }
  return model;
}

export function loadLocalModel(): LocalModel {
  return readModel(synthesizeTemplates());
}
