import type { ClientError } from "@account-overview/sdk"
import { CliFailure, ExitCode } from "./CliFailure.js"
import type { Failure } from "./Output.js"

/**
 * Turns what the SDK's Effect API fails with (its error classes, by `_tag`)
 * into one plain sentence and an exit code. Only the SDK's types are
 * imported, so this module loads without the SDK.
 */

/** What a failed call was about, for the sentence. */
export interface Subject {
  /** `customer`, `reseller`, `package`. */
  readonly kind: string
  readonly name: string
}

export interface Context {
  readonly baseUrl: string
  readonly subject?: Subject | undefined
  /** Who authenticated: an api user, or the operator token. */
  readonly credentials: string
}

const withStatus = (text: string, status: number | undefined) => (status === undefined ? text : `${text} (${status})`)

const detail = (messages: ReadonlyArray<string>): string => (messages.length > 0 ? `: ${messages.join("; ")}` : "")

const causeCode = (error: unknown): string | undefined => {
  let current: unknown = error
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string" && /^E[A-Z_]+$/.test(code)) return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

const networkReason = (code: string | undefined): string => {
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused"
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host name not found"
    case "ECONNRESET":
      return "connection reset"
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable"
    case undefined:
      return "connection failed"
    default:
      return code
  }
}

const failure = (
  error: ClientError,
  messages: ReadonlyArray<string>,
  sentence: string,
  exitCode: ExitCode
): Failure => ({
  code: error.code,
  status: error.status,
  messages,
  sentence,
  exitCode
})

/** Describes a failure of a call. */
export const describe = (error: ClientError, context: Context): Failure => {
  const status = error.status
  const messages = error.messages
  const subject = context.subject
  switch (error._tag) {
    case "NotFoundError":
      return failure(
        error,
        messages,
        subject === undefined
          ? withStatus(`not found${detail(messages)}`, status)
          : withStatus(`${subject.kind} "${subject.name}" was not found`, status),
        ExitCode.failed
      )
    case "AuthenticationError":
      return failure(
        error,
        messages,
        withStatus(`the service refused the credentials of ${context.credentials}`, status),
        ExitCode.failed
      )
    case "InvalidRequestError": {
      const problems = error.problems.map((p) => `${p.field === "" ? "" : `${p.field}: `}${p.message}`)
      const all = [...messages, ...problems]
      return failure(
        error,
        all,
        withStatus(
          `the service refused the request${subject === undefined ? "" : ` for ${subject.kind} "${subject.name}"`}${detail(all)}`,
          status
        ),
        ExitCode.failed
      )
    }
    case "RateLimitError":
      return failure(
        error,
        messages,
        withStatus(
          `the service is limiting the rate of requests${
            error.retryAfterMs === undefined ? "" : `, retry after ${Math.ceil(error.retryAfterMs / 1000)} s`
          }`,
          status
        ),
        ExitCode.failed
      )
    case "ServerError":
      return failure(error, messages, withStatus(`the service failed${detail(messages)}`, status), ExitCode.failed)
    case "ConnectionError":
      return failure(
        error,
        messages,
        `cannot reach the service at ${context.baseUrl}: ${networkReason(causeCode(error))}`,
        ExitCode.unreachable
      )
    case "TimeoutError":
      return failure(error, messages, `the service at ${context.baseUrl} did not answer in time`, ExitCode.unreachable)
    case "AbortedError":
      return failure(error, messages, "interrupted", ExitCode.interrupted)
    case "DecodeError":
      return failure(error, messages, `cannot read the service's answer: ${error.message}`, ExitCode.failed)
    case "ConfigurationError":
      return failure(error, messages, error.message, ExitCode.usage)
  }
}

/** Describes a failure that is none of the SDK's errors (a broken input stream, say). */
export const unexpected = (error: unknown): Failure => {
  const message = error instanceof Error ? error.message : String(error)
  return {
    code: "unexpected",
    status: undefined,
    messages: [message],
    sentence: `unexpected failure: ${message}`,
    exitCode: ExitCode.failed
  }
}

/** Ends a command with a described failure: its sentence once on stderr, its exit code (an interruption says nothing). */
export const endWith = (failure: Failure): CliFailure =>
  failure.exitCode === ExitCode.interrupted
    ? new CliFailure({ exitCode: ExitCode.interrupted })
    : new CliFailure({ exitCode: failure.exitCode, message: failure.sentence })
