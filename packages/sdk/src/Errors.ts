/**
 * The SDK's one set of errors: `AccountOverviewError` and a subclass per
 * failure, each with a `_tag` (for `Effect.catchTag`) and a `code` to switch
 * on, the HTTP status when there was a response, the error body's messages,
 * the method, the URL path (never the query string, which carries the key on
 * GET) and the request id. The Effect API fails with them and the Promise API
 * rejects with the same instances (decision record 0045). No error ever
 * holds the API key: not in its message, its `cause` nor its stack.
 *
 * @since 0.1.0
 */
import {
  AuthenticationFailed,
  DecodeError as CoreDecodeError,
  CustomerNotFound,
  type EventProblem,
  type InternalError,
  InvalidRequest,
  type OverviewError,
  RateLimited,
  Unavailable
} from "@account-overview/core"

/**
 * The `code` of every SDK error, one per class.
 *
 * @since 0.1.0
 * @category models
 */
export type ErrorCode =
  | "authentication_failed"
  | "not_found"
  | "invalid_request"
  | "rate_limited"
  | "server_error"
  | "connection_error"
  | "timeout"
  | "aborted"
  | "decode_error"
  | "configuration_error"

/**
 * What an SDK error is built from; every field is optional.
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorDetails {
  readonly status?: number | undefined
  readonly messages?: ReadonlyArray<string> | undefined
  readonly method?: string | undefined
  readonly path?: string | undefined
  readonly requestId?: string | undefined
  readonly user?: string | undefined
  readonly attempts?: number | undefined
  readonly cause?: unknown
}

/**
 * The base class of every error the SDK throws or fails with.
 *
 * @since 0.1.0
 * @category errors
 */
export abstract class AccountOverviewError extends Error {
  /** The class's name, for `Effect.catchTag` and `switch`es over `ClientError`. */
  abstract readonly _tag: ClientError["_tag"]
  /** A stable identifier of the failure, one per class. */
  abstract readonly code: ErrorCode
  /** The HTTP status of the response, when there was one. */
  readonly status: number | undefined
  /** The messages of the error body (or of the failure), possibly empty. */
  readonly messages: ReadonlyArray<string>
  /** The HTTP method of the request, empty when no request was made. */
  readonly method: string
  /** The URL path of the request, without its query string. */
  readonly path: string
  /** The `X-Request-Id` of the response, when there was one. */
  readonly requestId: string | undefined
  /** The customer asked about, for overview calls. */
  readonly user: string | undefined
  /** How many attempts were made (0 when none was). */
  readonly attempts: number

  constructor(summary: string, details: ErrorDetails = {}) {
    const messages = details.messages ?? []
    super(
      composeMessage(summary, messages, details),
      details.cause === undefined ? undefined : { cause: details.cause }
    )
    this.status = details.status
    this.messages = messages
    this.method = details.method ?? ""
    this.path = details.path ?? ""
    this.requestId = details.requestId
    this.user = details.user
    this.attempts = details.attempts ?? 0
  }
}

const composeMessage = (summary: string, messages: ReadonlyArray<string>, details: ErrorDetails): string => {
  let text = summary
  if (messages.length > 0) text += `: ${messages.join("; ")}`
  const where: Array<string> = []
  if (details.status !== undefined) where.push(`HTTP ${details.status}`)
  if (details.method && details.path) where.push(`${details.method} ${details.path}`)
  if (details.requestId !== undefined) where.push(`request id ${details.requestId}`)
  return where.length > 0 ? `${text} (${where.join(", ")})` : text
}

/**
 * The credentials were refused (HTTP 401 or 403).
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthenticationError extends AccountOverviewError {
  readonly _tag = "AuthenticationError" as const
  override readonly name = "AuthenticationError"
  readonly code = "authentication_failed" as const
  constructor(details: ErrorDetails = {}) {
    super("authentication failed", details)
  }
}

/**
 * The customer (or, for the operator client, the record) does not exist
 * (HTTP 404).
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFoundError extends AccountOverviewError {
  readonly _tag = "NotFoundError" as const
  override readonly name = "NotFoundError"
  readonly code = "not_found" as const
  constructor(details: ErrorDetails = {}) {
    super("not found", details)
  }
}

/**
 * The request was refused as invalid (HTTP 400 and every other 4xx that is
 * not retried). `problems` lists the bad usage events of an ingestion, by
 * index in the whole stream.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidRequestError extends AccountOverviewError {
  readonly _tag = "InvalidRequestError" as const
  override readonly name = "InvalidRequestError"
  readonly code = "invalid_request" as const
  readonly problems: ReadonlyArray<EventProblem>
  constructor(details: ErrorDetails & { readonly problems?: ReadonlyArray<EventProblem> | undefined } = {}) {
    super("invalid request", details)
    this.problems = details.problems ?? []
  }
}

/**
 * Too many requests (HTTP 429), after the retries allowed. `retryAfterMs` is
 * the server's `Retry-After`, when it gave one.
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimitError extends AccountOverviewError {
  readonly _tag = "RateLimitError" as const
  override readonly name = "RateLimitError"
  readonly code = "rate_limited" as const
  readonly retryAfterMs: number | undefined
  constructor(details: ErrorDetails & { readonly retryAfterMs?: number | undefined } = {}) {
    super(
      details.retryAfterMs === undefined
        ? "rate limited"
        : `rate limited, retry after ${Math.ceil(details.retryAfterMs / 1000)} s`,
      details
    )
    this.retryAfterMs = details.retryAfterMs
  }
}

/**
 * The server failed (HTTP 5xx, or an unexpected status), after the retries
 * allowed.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends AccountOverviewError {
  readonly _tag = "ServerError" as const
  override readonly name = "ServerError"
  readonly code = "server_error" as const
  constructor(details: ErrorDetails = {}) {
    super("server error", details)
  }
}

/**
 * The endpoint could not be reached, or the connection failed before the
 * whole response arrived, after the retries allowed.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConnectionError extends AccountOverviewError {
  readonly _tag = "ConnectionError" as const
  override readonly name = "ConnectionError"
  readonly code = "connection_error" as const
  constructor(details: ErrorDetails = {}) {
    super("connection failed", details)
  }
}

/**
 * An attempt took longer than `timeoutMs`, or the call longer than
 * `deadlineMs` (or the server answered 408), after the retries allowed.
 *
 * @since 0.1.0
 * @category errors
 */
export class TimeoutError extends AccountOverviewError {
  readonly _tag = "TimeoutError" as const
  override readonly name = "TimeoutError"
  readonly code = "timeout" as const
  constructor(details: ErrorDetails = {}) {
    super("timed out", details)
  }
}

/**
 * The call was aborted through its `AbortSignal`.
 *
 * @since 0.1.0
 * @category errors
 */
export class AbortedError extends AccountOverviewError {
  readonly _tag = "AbortedError" as const
  override readonly name = "AbortedError"
  readonly code = "aborted" as const
  constructor(details: ErrorDetails = {}) {
    super("aborted", details)
  }
}

/**
 * The response could not be decoded (not a valid body, or larger than
 * `maxResponseBytes`). `field` names the wire field or part at fault.
 *
 * @since 0.1.0
 * @category errors
 */
export class DecodeError extends AccountOverviewError {
  readonly _tag = "DecodeError" as const
  override readonly name = "DecodeError"
  readonly code = "decode_error" as const
  readonly field: string
  readonly reason: string
  constructor(details: ErrorDetails & { readonly field?: string | undefined; readonly reason: string }) {
    super(
      details.field ? `cannot decode ${details.field}: ${details.reason}` : `cannot decode response: ${details.reason}`,
      details
    )
    this.field = details.field ?? ""
    this.reason = details.reason
  }
}

/**
 * A setting is missing or invalid. `setting` names it (an option or an
 * environment variable); the message never shows its value.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConfigurationError extends AccountOverviewError {
  readonly _tag = "ConfigurationError" as const
  override readonly name = "ConfigurationError"
  readonly code = "configuration_error" as const
  readonly setting: string
  constructor(setting: string, problem: string) {
    super(`${setting} ${problem}`)
    this.setting = setting
  }
}

/**
 * Whether a value is an SDK error.
 *
 * @since 0.1.0
 * @category guards
 */
export const isAccountOverviewError = (u: unknown): u is AccountOverviewError => u instanceof AccountOverviewError

/**
 * Every error class of the SDK, as a union whose `_tag` narrows it: what the
 * operator client's calls fail with.
 *
 * @since 0.2.0
 * @category models
 */
export type ClientError =
  | AuthenticationError
  | NotFoundError
  | InvalidRequestError
  | RateLimitError
  | ServerError
  | ConnectionError
  | TimeoutError
  | AbortedError
  | DecodeError
  | ConfigurationError

/**
 * What `AccountOverviewsRemote`'s calls fail with: the SDK's error classes
 * (until 0.2.0, core's tagged errors; `toTaggedError` gives those).
 *
 * @since 0.1.0
 * @category models
 */
export type RemoteOverviewError = ClientError

/**
 * Maps an SDK error to core's tagged error, as the remote layer of core's
 * `AccountOverviews` does. Transport failures become `Unavailable` with
 * their reason; a `ConfigurationError` becomes `InvalidRequest` naming the
 * setting.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toTaggedError = (error: AccountOverviewError): OverviewError | CoreDecodeError => {
  const detail = error.message
  switch (error.code) {
    case "authentication_failed":
      return new AuthenticationFailed()
    case "not_found":
      return new CustomerNotFound({ user: error.user ?? "" })
    case "invalid_request":
    case "configuration_error":
      return new InvalidRequest({ messages: nonEmpty(error.messages, detail) })
    case "rate_limited": {
      const ms = (error as RateLimitError).retryAfterMs
      return new RateLimited({ retryAfterSeconds: ms === undefined ? 0 : Math.ceil(ms / 1000) })
    }
    case "server_error":
      return new Unavailable({
        reason: "server",
        detail,
        ...(error.status === undefined ? {} : { status: error.status })
      })
    case "connection_error":
      return new Unavailable({ reason: "connection", detail })
    case "timeout":
      return new Unavailable({
        reason: "timeout",
        detail,
        ...(error.status === undefined ? {} : { status: error.status })
      })
    case "aborted":
      return new Unavailable({ reason: "aborted", detail })
    case "decode_error":
      return new CoreDecodeError({ path: (error as DecodeError).field, reason: (error as DecodeError).reason })
  }
}

const nonEmpty = (messages: ReadonlyArray<string>, fallback: string): readonly [string, ...Array<string>] =>
  messages.length > 0 ? [messages[0]!, ...messages.slice(1)] : [fallback]

/**
 * Maps core's tagged error to the SDK error class, with the request's
 * context when known.
 *
 * @since 0.1.0
 * @category conversions
 */
export const fromTaggedError = (
  error: OverviewError | CoreDecodeError | InternalError,
  context: Pick<ErrorDetails, "method" | "path" | "requestId" | "user" | "attempts"> = {}
): AccountOverviewError => {
  switch (error._tag) {
    case "AuthenticationFailed":
      return new AuthenticationError({ ...context, status: 401, messages: [error.message] })
    case "CustomerNotFound":
      return new NotFoundError({ ...context, status: 404, messages: [error.message], user: error.user })
    case "InvalidRequest":
      return new InvalidRequestError({ ...context, status: 400, messages: error.messages })
    case "RateLimited":
      return new RateLimitError({ ...context, status: 429, retryAfterMs: error.retryAfterSeconds * 1000 })
    case "Unavailable": {
      const details = { ...context, status: error.status, messages: error.detail === undefined ? [] : [error.detail] }
      switch (error.reason) {
        case "connection":
          return new ConnectionError(details)
        case "timeout":
          return new TimeoutError(details)
        case "aborted":
          return new AbortedError(details)
        default:
          return new ServerError({ ...details, status: error.status ?? 503 })
      }
    }
    case "InternalError":
      return new ServerError({ ...context, status: 500, messages: [error.message] })
    case "DecodeError":
      return new DecodeError({ ...context, field: error.path, reason: error.reason })
  }
}
