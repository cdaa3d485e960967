import { ExitCode } from "./Failure.js"
import type { Failure } from "./Output.js"

/**
 * Turns what the SDK throws into one plain sentence and an exit code. The
 * SDK's errors are recognised by their `code` (`not_found`,
 * `connection_error`, ...), so that this module loads without the SDK.
 */

interface SdkErrorLike {
  readonly code: string
  readonly status?: number | undefined
  readonly messages?: ReadonlyArray<string> | undefined
  readonly message?: string | undefined
  readonly cause?: unknown
  readonly retryAfterMs?: number | undefined
  readonly problems?: ReadonlyArray<{ readonly index: number; readonly field: string; readonly message: string }>
}

const isSdkError = (u: unknown): u is SdkErrorLike =>
  typeof u === "object" && u !== null && typeof (u as { code?: unknown }).code === "string" && "messages" in u

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

const detail = (messages: ReadonlyArray<string> | undefined): string =>
  messages !== undefined && messages.length > 0 ? `: ${messages.join("; ")}` : ""

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
  code: string,
  status: number | undefined,
  messages: ReadonlyArray<string>,
  sentence: string,
  exitCode: ExitCode
): Failure => ({ code, status, messages, sentence, exitCode })

/** Describes a failure of a call. */
export const describe = (error: unknown, context: Context): Failure => {
  if (!isSdkError(error)) {
    const message = error instanceof Error ? error.message : String(error)
    return failure("unexpected", undefined, [message], `unexpected failure: ${message}`, ExitCode.failed)
  }
  const status = error.status
  const messages = error.messages ?? []
  const subject = context.subject
  switch (error.code) {
    case "not_found":
      return failure(
        error.code,
        status,
        messages,
        subject === undefined
          ? withStatus(`not found${detail(messages)}`, status)
          : withStatus(`${subject.kind} "${subject.name}" was not found`, status),
        ExitCode.failed
      )
    case "authentication_failed":
      return failure(
        error.code,
        status,
        messages,
        withStatus(`the service refused the credentials of ${context.credentials}`, status),
        ExitCode.failed
      )
    case "invalid_request": {
      const problems = (error.problems ?? []).map((p) => `${p.field === "" ? "" : `${p.field}: `}${p.message}`)
      const all = [...messages, ...problems]
      return failure(
        error.code,
        status,
        all,
        withStatus(
          `the service refused the request${subject === undefined ? "" : ` for ${subject.kind} "${subject.name}"`}${detail(all)}`,
          status
        ),
        ExitCode.failed
      )
    }
    case "rate_limited":
      return failure(
        error.code,
        status,
        messages,
        withStatus(
          `the service is limiting the rate of requests${
            error.retryAfterMs === undefined ? "" : `, retry after ${Math.ceil(error.retryAfterMs / 1000)} s`
          }`,
          status
        ),
        ExitCode.failed
      )
    case "server_error":
      return failure(
        error.code,
        status,
        messages,
        withStatus(`the service failed${detail(messages)}`, status),
        ExitCode.failed
      )
    case "connection_error":
      return failure(
        error.code,
        status,
        messages,
        `cannot reach the service at ${context.baseUrl}: ${networkReason(causeCode(error))}`,
        ExitCode.unreachable
      )
    case "timeout":
      return failure(
        error.code,
        status,
        messages,
        `the service at ${context.baseUrl} did not answer in time`,
        ExitCode.unreachable
      )
    case "aborted":
      return failure(error.code, status, messages, "interrupted", ExitCode.interrupted)
    case "decode_error":
      return failure(
        error.code,
        status,
        messages,
        `cannot read the service's answer: ${error.message ?? "malformed body"}`,
        ExitCode.failed
      )
    case "configuration_error":
      return failure(error.code, status, messages, error.message ?? "invalid settings", ExitCode.usage)
    default:
      return failure(
        error.code,
        status,
        messages,
        withStatus(`${error.message ?? error.code}`, status),
        ExitCode.failed
      )
  }
}
