/**
 * The named errors a request can end in, shared by every piece. The domain throws them;
 * functions/shared/http.ts is the one table that turns them into HTTP status codes, so a
 * handler never chooses a status itself. Each carries a stable machine-readable `code` and,
 * for input errors, the issues naming each field and its rule.
 */
export interface FieldIssue {
  /** JSON path of the field, e.g. `batch[3].userId` or `event`. */
  field: string;
  rule: string;
}

abstract class RequestError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request cannot be read or breaks a rule; `issues` names every field. */
export class InvalidRequestError extends RequestError {
  constructor(
    readonly code: string,
    issues: FieldIssue[],
    message = issues.map((i) => `${i.field}: ${i.rule}`).join('; '),
  ) {
    super(message, issues);
  }
}
export class PayloadTooLargeError extends RequestError {
  readonly code = 'request_too_large';
}
export class UnsupportedMediaTypeError extends RequestError {
  readonly code = 'unsupported_media_type';
}
export class UnauthorizedError extends RequestError {
  readonly code = 'unauthorized';
}
export class NotFoundError extends RequestError {
  readonly code = 'not_found';
}
/** Storage or a dependency is down: the caller should retry (SDKs do on 503). */
export class UnavailableError extends RequestError {
  readonly code = 'unavailable';
}
/** A model the answer needs is not trained yet; the message says what to run. */
export class NoModelError extends RequestError {
  readonly code = 'no_model';
}
