/**
 * The typed failures of the Account Overview system, each with its HTTP
 * status and its stable wire message. `errorTable` is the one place that maps
 * a failure to the wire; the README of core prints it.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * The request's parameters are wrong: missing, repeated, empty, or a task
 * other than `overview`. Each message names the parameter.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>("@account-overview/core/InvalidRequest")(
  "InvalidRequest",
  { messages: Schema.NonEmptyArray(Schema.String) }
) {
  override get message(): string {
    return this.messages.join("; ")
  }
}

/**
 * The credentials are missing or wrong. Says nothing of which part was wrong.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthenticationFailed extends Schema.TaggedError<AuthenticationFailed>(
  "@account-overview/core/AuthenticationFailed"
)("AuthenticationFailed", {}) {
  override get message(): string {
    return wireMessage.AuthenticationFailed
  }
}

/**
 * The customer is not registered under this reseller. The same failure is
 * given whether the customer exists under another reseller or nowhere.
 *
 * @since 0.1.0
 * @category errors
 */
export class CustomerNotFound extends Schema.TaggedError<CustomerNotFound>("@account-overview/core/CustomerNotFound")(
  "CustomerNotFound",
  { user: Schema.String }
) {
  override get message(): string {
    return wireMessage.CustomerNotFound
  }
}

/**
 * Too many requests: retry after `retryAfterSeconds`.
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimited extends Schema.TaggedError<RateLimited>("@account-overview/core/RateLimited")("RateLimited", {
  retryAfterSeconds: Schema.Int
}) {
  override get message(): string {
    return rateLimitedMessage(this.retryAfterSeconds)
  }
}

/**
 * The service cannot answer now (its store is down, it is shutting down, or,
 * seen from a client, the endpoint could not be reached or answered 5xx).
 * Retrying later may succeed.
 *
 * @since 0.1.0
 * @category errors
 */
export class Unavailable extends Schema.TaggedError<Unavailable>("@account-overview/core/Unavailable")("Unavailable", {
  reason: Schema.Literals(["store", "shutdown", "server", "connection", "timeout", "aborted"]),
  status: Schema.optionalKey(Schema.Int),
  detail: Schema.optionalKey(Schema.String)
}) {
  override get message(): string {
    return this.detail === undefined ? `${wireMessage.Unavailable} (${this.reason})` : `${this.detail}`
  }
}

/**
 * An unexpected failure inside the service. Its wire body says nothing of
 * the cause.
 *
 * @since 0.1.0
 * @category errors
 */
export class InternalError extends Schema.TaggedError<InternalError>("@account-overview/core/InternalError")(
  "InternalError",
  {}
) {
  override get message(): string {
    return wireMessage.InternalError
  }
}

/**
 * A response (or a document) could not be decoded. `path` names the field
 * (wire name) or the part of the document, `reason` says why.
 *
 * @since 0.1.0
 * @category errors
 */
export class DecodeError extends Schema.TaggedError<DecodeError>("@account-overview/core/DecodeError")("DecodeError", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return this.path === "" ? `cannot decode response: ${this.reason}` : `cannot decode ${this.path}: ${this.reason}`
  }
}

/**
 * What an overview call can fail with, on either side of the wire.
 *
 * @since 0.1.0
 * @category errors
 */
export type OverviewError = InvalidRequest | AuthenticationFailed | CustomerNotFound | RateLimited | Unavailable

/**
 * The stable wire messages, by failure tag, plus the HTTP-level failures the
 * server answers before any handler runs.
 *
 * @since 0.1.0
 * @category wire
 */
export const wireMessage = {
  InvalidRequest: "invalid request",
  MissingApiKey: "missing parameter: api_key",
  AuthenticationFailed: "Permission denied, wrong credentials",
  CustomerNotFound: "User not found",
  SpaceInUser: "user has a space: a + sent unencoded in a query string or form body reads as a space, send it as %2B",
  MethodNotAllowed: "Method not allowed",
  PayloadTooLarge: "Request body too large",
  UnsupportedMediaType: "Unsupported content type",
  UnknownFormat: "Unknown format, use .json or .xml",
  NotFound: "Not found",
  RateLimited: "Too many requests",
  InternalError: "Internal error",
  Unavailable: "Service unavailable, retry later"
} as const

/**
 * One row of the error table.
 *
 * @since 0.1.0
 * @category wire
 */
export interface ErrorTableRow {
  readonly status: number
  readonly message: string
}

/**
 * The HTTP status and wire message of every failure the service answers.
 *
 * @since 0.1.0
 * @category wire
 */
export const errorTable = {
  InvalidRequest: { status: 400, message: wireMessage.InvalidRequest },
  MissingApiKey: { status: 401, message: wireMessage.MissingApiKey },
  AuthenticationFailed: { status: 401, message: wireMessage.AuthenticationFailed },
  CustomerNotFound: { status: 404, message: wireMessage.CustomerNotFound },
  NotFound: { status: 404, message: wireMessage.NotFound },
  UnknownFormat: { status: 404, message: wireMessage.UnknownFormat },
  MethodNotAllowed: { status: 405, message: wireMessage.MethodNotAllowed },
  PayloadTooLarge: { status: 413, message: wireMessage.PayloadTooLarge },
  UnsupportedMediaType: { status: 415, message: wireMessage.UnsupportedMediaType },
  RateLimited: { status: 429, message: wireMessage.RateLimited },
  InternalError: { status: 500, message: wireMessage.InternalError },
  Unavailable: { status: 503, message: wireMessage.Unavailable }
} as const satisfies Record<string, ErrorTableRow>

/**
 * The wire message of a `RateLimited`: the table's message and the wait in
 * seconds, `Too many requests, retry after 20 s`.
 *
 * @since 0.2.0
 * @category wire
 */
export const rateLimitedMessage = (retryAfterSeconds: number): string =>
  `${errorTable.RateLimited.message}, retry after ${retryAfterSeconds} s`

/**
 * The wire message of a `Content-Type` whose charset the service does not
 * read (a 415): `Unsupported charset koi8-r, use UTF-8 or ISO-8859-1`. The
 * charset is named only when it is a plain token of at most 40 characters.
 *
 * @since 0.2.0
 * @category wire
 */
export const unsupportedCharsetMessage = (charset: string): string =>
  /^[A-Za-z0-9._:+-]{1,40}$/.test(charset)
    ? `Unsupported charset ${charset}, use UTF-8 or ISO-8859-1`
    : "Unsupported charset, use UTF-8 or ISO-8859-1"

/**
 * The HTTP status and error-body messages for a failure of the service.
 * `InvalidRequest` carries its own messages and `RateLimited` its wait
 * (`rateLimitedMessage`); every other failure answers its one stable
 * message, so no internals reach the wire. An `InvalidRequest` that lacks
 * the `api_key` is a 401 (`MissingApiKey`: missing credentials), with all
 * of its messages. A `CustomerNotFound` whose user has a space adds the
 * `SpaceInUser` hint, the same for every such name, whether or not the
 * spelling with `+` exists.
 *
 * @since 0.1.0
 * @category wire
 */
export const toWire = (
  error: OverviewError | InternalError
): { readonly status: number; readonly errors: readonly [string, ...Array<string>] } => {
  switch (error._tag) {
    case "InvalidRequest":
      return {
        status: error.messages.includes(wireMessage.MissingApiKey)
          ? errorTable.MissingApiKey.status
          : errorTable.InvalidRequest.status,
        errors: error.messages
      }
    case "CustomerNotFound":
      return {
        status: errorTable.CustomerNotFound.status,
        errors:
          error.user.indexOf(" ") < 0
            ? [errorTable.CustomerNotFound.message]
            : [errorTable.CustomerNotFound.message, wireMessage.SpaceInUser]
      }
    case "RateLimited":
      return { status: errorTable.RateLimited.status, errors: [rateLimitedMessage(error.retryAfterSeconds)] }
    case "Unavailable":
      return { status: errorTable.Unavailable.status, errors: [errorTable.Unavailable.message] }
    default:
      return { status: errorTable[error._tag].status, errors: [errorTable[error._tag].message] }
  }
}
