/**
 * The state-machine definition exactly as CDK synthesized it, made runnable by
 * aws-local-stepfunctions: CloudFormation renders DefinitionString as an Fn::Join of text
 * and references, which are replaced here by stand-ins (pseudo parameters by fixed local
 * values, other references by readable placeholders, or by what `resolve` returns).
 * Hand-written because nothing on npm resolves CloudFormation intrinsics offline.
 */
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const PSEUDO: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '000000000000', 'AWS::URLSuffix': 'amazonaws.com' };

export function resolveIntrinsic(v: Json, resolve: (ref: string) => string | undefined = () => undefined): string {
  if (typeof v === 'string') return v;
  if (v?.['Fn::Join']) {
    const [sep, parts] = v['Fn::Join'] as [string, Json[]];
    return parts.map((p) => resolveIntrinsic(p, resolve)).join(sep);
  }
  if (v?.Ref) return PSEUDO[v.Ref] ?? resolve(v.Ref) ?? `ref:${v.Ref}`;
  if (v?.['Fn::GetAtt']) {
    const [id, attr] = v['Fn::GetAtt'] as [string, string];
    return resolve(`${id}.${attr}`) ?? `${id}.${attr}`;
  }
  if (v?.['Fn::ImportValue']) {
    const name = resolveIntrinsic(v['Fn::ImportValue'], resolve);
    return resolve(name) ?? `import:${name}`;
  }
  throw new Error(`unsupported intrinsic in a state-machine definition: ${JSON.stringify(v).slice(0, 120)}`);
}

/** Every state machine of a template, by logical id, as parsed ASL. */
export function stateMachinesOf(template: { Resources?: Record<string, Json> }, resolve?: (ref: string) => string | undefined): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const [id, r] of Object.entries(template.Resources ?? {})) {
    if (r.Type !== 'AWS::StepFunctions::StateMachine') continue;
    out.set(id, JSON.parse(resolveIntrinsic(r.Properties.DefinitionString, resolve)));
  }
  return out;
}
