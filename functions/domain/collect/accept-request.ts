/**
 * One request of the event API, end to end in the domain: validate (collect.ts), put what is
 * accepted on the raw stream, keep what is refused in the failed-events store with its
 * reason, and answer. A request with nothing acceptable ends in a named error (its payload
 * kept first); a storage failure is UnavailableError, so SDKs retry and their messageIds
 * make the retry harmless. The body arrives as the client sent it (bytes and their
 * Content-Encoding, request-body.ts), so a body refused before it could be read (not gzip,
 * a bomb, an unknown coding) is kept with its reason like every other refusal. What is kept
 * has Clean's PII policy applied (domain/clean/minimise-payload.ts, the one owner of the
 * policy): a refused event is kept for replay, not for the identifiers the policy removes.
 *
 * Who sent it: on the long paths the API Gateway authorizer has already found the source
 * (`sourceId`). The browser paths carry `keys` instead and the source is found here, before
 * anything is stored: the header's key when there is one, else the query's `writeKey`
 * (RudderStack's beacon), else the body's `writeKey` (parsed once, then handed to collect).
 * Nothing of a request whose key is missing or wrong is kept: the failed-events store takes
 * only what a known source sent, as before, when the authorizer refused such requests before
 * any function ran.
 */
import { MAX_REQUEST_BYTES } from '../../../schemas/events.ts';
import type { EventSink, FailedEventSink } from '../shared/ports.ts';
import { InvalidRequestError, PayloadTooLargeError, UnavailableError, UnsupportedMediaTypeError, type FieldIssue } from '../shared/errors.ts';
import { collect, partitionKeyOf, type CollectInput } from './collect.ts';
import { sourceIdOfKey, writeKeyFromBody, type WriteKeyVerifier } from './write-keys.ts';
import { readBody } from './request-body.ts';
import { minimisedPayload } from '../clean/minimise-payload.ts';
import type { CleanOptions } from '../clean/clean.ts';

export interface AcceptDeps {
  sink: EventSink;
  failed: FailedEventSink;
  /** The PII policy and salt applied to what the failed-events store keeps; default: the default policy. */
  pii?: CleanOptions;
}

export type AcceptInput = Omit<CollectInput, 'body' | 'parsed' | 'sourceId'> & {
  /** Bytes as received (decoded per `contentEncoding`), or text already decoded. */
  body: Buffer | string;
  contentEncoding?: string;
} & (
    | { /** Found by the API Gateway authorizer. */ sourceId: string }
    | { /** Browser paths: the Authorization header's and the query's key, if any, and the verifier. */ keys: { header?: string; query?: string; verify: WriteKeyVerifier } }
  );

export interface AcceptAnswer {
  accepted: number;
  rejected: { index: number; issues: FieldIssue[] }[];
}

const detailOf = (issues: FieldIssue[]) => issues.map((i) => `${i.field}: ${i.rule}`).join('; ');

async function stored<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    throw Object.assign(new UnavailableError('events were not stored; retry with the same messageIds'), { cause: err });
  }
}

/** The source of a browser-path request, and the body parsed on the way when its key was in it. */
async function sourceOf(keys: { header?: string; query?: string; verify: WriteKeyVerifier }, text: string | undefined): Promise<{ sourceId: string; parsed?: { value: unknown } }> {
  let parsed: { value: unknown } | undefined;
  let key = keys.header ?? keys.query;
  if (key === undefined && text !== undefined) {
    try {
      parsed = { value: JSON.parse(text) };
    } catch {
      // Not JSON: no key to find; refused below like any request without one.
    }
    key = writeKeyFromBody(parsed?.value);
  }
  return { sourceId: await sourceIdOfKey(key, keys.verify), parsed };
}

export async function acceptRequest(input: AcceptInput, deps: AcceptDeps): Promise<AcceptAnswer> {
  const text = typeof input.body === 'string' ? { kind: 'text' as const, text: input.body } : readBody(input.body, input.contentEncoding, MAX_REQUEST_BYTES);
  const { sourceId, parsed } = 'sourceId' in input ? { sourceId: input.sourceId, parsed: undefined } : await sourceOf(input.keys, text.kind === 'text' ? text.text : undefined);
  const result = text.kind === 'text' ? collect({ ...input, sourceId, body: text.text, parsed }) : text;
  const at = input.receivedAt.toISOString();
  if (result.kind === 'request_error') {
    await stored(() => deps.failed.put([{ v: 1, stage: 'collect', reason: result.reason, detail: detailOf(result.issues), at, sourceId, payload: minimisedPayload(result.payload, input.route === 'batch' ? 'batch' : 'event', deps.pii) }]));
    if (result.status === 413) throw new PayloadTooLargeError(detailOf(result.issues), result.issues);
    if (result.status === 415) throw new UnsupportedMediaTypeError(detailOf(result.issues), result.issues);
    throw new InvalidRequestError(result.error, result.issues);
  }
  await stored(async () => {
    await deps.sink.put(result.accepted.map((e) => ({ partitionKey: partitionKeyOf(e), data: e })));
    if (result.rejected.length > 0) {
      await deps.failed.put(result.rejected.map((r) => ({ v: 1 as const, stage: 'collect' as const, reason: r.reason, detail: detailOf(r.issues), at, sourceId, payload: minimisedPayload(r.payload, 'event', deps.pii) })));
    }
  });
  return { accepted: result.accepted.length, rejected: result.rejected.map(({ index, issues }) => ({ index, issues })) };
}
