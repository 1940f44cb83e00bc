/**
 * The one error the senders throw, and the classification of provider errors they share.
 *
 * The domain's `Sender` contract: retryable failures are thrown (the page is retried),
 * failures that can never succeed are returned. A thrown `RetryableSendError` also says
 * whether the provider certainly did not take the message (`notAccepted`: throttled,
 * refused before the request was read). The send page can then release that person's claim
 * and cap reservation and try again; when it is unknown (a timeout, a 5xx after the request
 * was read) the claim must stay, because re-sending could deliver twice.
 */
export class RetryableSendError extends Error {
  override readonly name = 'RetryableSendError';
  /** The provider's error code (`ThrottlingException`, `HTTP 503`, `ECONNRESET` …). */
  readonly code: string;
  /** True only when the provider certainly did not accept the message. */
  readonly notAccepted: boolean;
  constructor(message: string, opts: { code: string; notAccepted: boolean; cause?: unknown }) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.code = opts.code;
    this.notAccepted = opts.notAccepted;
  }
}

interface ServiceErrorLike {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
}

/** Node's socket errors that mean the request never reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const NETWORK_CODES = new Set([...NOT_SENT_CODES, 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError']);

export type ProviderErrorClass =
  | { kind: 'retryable'; code: string; notAccepted: boolean }
  | { kind: 'permanent'; code: string }
  /** Not a provider answer at all (a bug, a bad argument): rethrown as it is. */
  | { kind: 'unknown' };

/**
 * Sorts an AWS SDK v3 error: throttling codes and 429 are retryable and certainly not
 * accepted; 5xx, timeouts and socket errors are retryable with an unknown outcome; any other
 * answer from the service (4xx with a code) is permanent.
 */
export function classifyAwsError(err: unknown, throttlingCodes: ReadonlySet<string>): ProviderErrorClass {
  const e = (err ?? {}) as ServiceErrorLike;
  const name = e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  if (throttlingCodes.has(name) || status === 429 || e.$retryable?.throttling) return { kind: 'retryable', code: name || 'HTTP 429', notAccepted: true };
  if ((status !== undefined && status >= 500) || e.$fault === 'server') return { kind: 'retryable', code: name || `HTTP ${status}`, notAccepted: false };
  const sysCode = typeof e.code === 'string' ? e.code : undefined;
  if (sysCode && NETWORK_CODES.has(sysCode)) return { kind: 'retryable', code: sysCode, notAccepted: NOT_SENT_CODES.has(sysCode) };
  if (TIMEOUT_NAMES.has(name)) return { kind: 'retryable', code: name, notAccepted: false };
  if (status !== undefined && status >= 400) return { kind: 'permanent', code: name || `HTTP ${status}` };
  return { kind: 'unknown' };
}

/** The stable text of a returned (permanent) failure: `<code>: <message>`. */
export const permanentError = (code: string, message: string | undefined) => `${code}: ${message ?? 'no message'}`.slice(0, 1024);
