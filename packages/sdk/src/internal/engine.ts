/**
 * The overview call, once, for every API of the SDK: check the call and
 * build its request with core's parameter encoder and core's wire path
 * (`prepare`), send it through the transport with a timeout per attempt
 * and an overall deadline, classify the answer, decode it with core's
 * decoder, retry what may succeed later (`send`). It fails with the SDK's
 * error classes, the one set both APIs give: the Effect service passes them
 * through, the Promise client rejects with them.
 */
import {
  type Credentials,
  decodeResponse,
  encodeRequestParams,
  type Format,
  type Overview,
  wirePath
} from "@account-overview/core"
import { Effect, Redacted, Result } from "effect"
import type { RemoteCallOptions } from "../Client.js"
import {
  AccountOverviewError,
  type ClientError,
  ConnectionError,
  DecodeError,
  type ErrorDetails,
  InvalidRequestError,
  TimeoutError
} from "../Errors.js"
import type { Transport, TransportResponse } from "../Transport.js"
import type { ResponseInfo, WithResponse } from "../WithResponse.js"
import { makeScrub, type Scrub, safeCause } from "./redact.js"
import { withRetries } from "./retry.js"
import { type EngineSettings, type Method, resolveCallOverrides } from "./settings.js"
import { errorOfLegacyBody, errorOfResponse } from "./status.js"

const accept = { json: "application/json", xml: "application/xml, text/xml" } as const

/** What every error of one call names: the request line and the customer. */
export interface CallContext {
  readonly method: Method
  readonly path: string
  readonly user: string
}

/** A checked call, ready to send. */
export interface PreparedCall {
  readonly context: CallContext
  readonly format: Format
  readonly timeoutMs: number
  readonly url: string
  readonly body: string | undefined
  readonly headers: Readonly<Record<string, string>>
  readonly apiKey: Redacted.Redacted<string>
}

const scrubFor = (call: PreparedCall): Scrub => makeScrub([Redacted.value(call.apiKey)])

const details = (context: CallContext, attempt: number, response?: TransportResponse, scrub?: Scrub): ErrorDetails => {
  const requestId = response?.headers["x-request-id"] || undefined
  return {
    method: context.method,
    path: context.path,
    user: context.user,
    attempts: attempt + 1,
    ...(response === undefined
      ? {}
      : { status: response.status, requestId: requestId === undefined ? undefined : (scrub ?? redactAll)(requestId) })
  }
}

// A response header copied into an error without the call's secrets at hand is not copied.
const redactAll: Scrub = () => "<redacted>"

const errorMessages = (
  response: TransportResponse,
  format: Format,
  maxBytes: number,
  scrub: Scrub
): ReadonlyArray<string> => {
  if (response.body.byteLength === 0) return []
  const decoded = decodeResponse(response.body, response.headers["content-type"], { maxBytes, format })
  return Result.isSuccess(decoded) && decoded.success._tag === "ErrorBody"
    ? decoded.success.body.errors.map((message) => scrub(message))
    : []
}

const classify = (
  response: TransportResponse,
  call: PreparedCall,
  settings: EngineSettings,
  attempt: number
): Effect.Effect<Overview, ClientError> => {
  const status = response.status
  if (status >= 200 && status < 300) {
    const decoded = decodeResponse(response.body, response.headers["content-type"], {
      maxBytes: settings.maxResponseBytes,
      format: call.format
    })
    if (Result.isSuccess(decoded)) {
      if (decoded.success._tag === "Overview") return Effect.succeed(decoded.success.overview)
      return Effect.fail(
        errorOfLegacyBody(decoded.success.body.errors, {
          ...details(call.context, attempt, response, scrubFor(call)),
          messages: decoded.success.body.errors.map((message) => scrubFor(call)(message))
        })
      )
    }
    return Effect.fail(
      new DecodeError({
        ...details(call.context, attempt, response, scrubFor(call)),
        field: scrubFor(call)(decoded.failure.path),
        reason: scrubFor(call)(decoded.failure.reason)
      })
    )
  }
  const base = {
    ...details(call.context, attempt, response, scrubFor(call)),
    messages: errorMessages(response, call.format, settings.maxResponseBytes, scrubFor(call))
  }
  return Effect.fail(errorOfResponse(status, base, response.headers))
}

const transportFailure = (
  thrown: unknown,
  timedOutAfter: number | undefined,
  call: PreparedCall,
  attempt: number
): ClientError => {
  if (timedOutAfter !== undefined) {
    return new TimeoutError({
      ...details(call.context, attempt),
      messages: [`no complete answer within ${timedOutAfter} ms`]
    })
  }
  if (thrown instanceof DecodeError) {
    return new DecodeError({
      ...details(call.context, attempt),
      status: thrown.status,
      field: thrown.field === undefined ? undefined : scrubFor(call)(thrown.field),
      reason: scrubFor(call)(thrown.reason)
    })
  }
  if (thrown instanceof AccountOverviewError) return thrown as ClientError
  return new ConnectionError({ ...details(call.context, attempt), cause: safeCause(thrown, scrubFor(call)) })
}

/** What `withResponse` tells of a transport's answer. */
export const responseInfoOf = (response: TransportResponse): ResponseInfo => ({
  status: response.status,
  headers: response.headers,
  requestId: response.headers["x-request-id"] || undefined
})

/** The overview call of one engine (settings and transport). */
export interface OverviewCall {
  /**
   * Checks a call and builds its request: an `InvalidRequestError` for a
   * user that is not a non-empty string; throws `ConfigurationError` for a
   * bad per-call option.
   */
  readonly prepare: (
    credentials: Credentials,
    user: string,
    options: RemoteCallOptions | undefined
  ) => PreparedCall | InvalidRequestError
  /** Sends a prepared call, with its retries. */
  readonly send: (call: PreparedCall) => Effect.Effect<Overview, ClientError>
  /** `send`, with the response of the attempt that succeeded. */
  readonly sendWithResponse: (call: PreparedCall) => Effect.Effect<WithResponse<Overview>, ClientError>
  /** `prepare` then `send`, as one effect (a bad option is a defect). */
  readonly run: (
    credentials: Credentials,
    user: string,
    options?: RemoteCallOptions | undefined
  ) => Effect.Effect<Overview, ClientError>
  /** `run`, with the response of the attempt that succeeded. */
  readonly runWithResponse: (
    credentials: Credentials,
    user: string,
    options?: RemoteCallOptions | undefined
  ) => Effect.Effect<WithResponse<Overview>, ClientError>
}

export const makeOverviewCall = (settings: EngineSettings, transport: Transport): OverviewCall => {
  const headerCache = new Map<string, Readonly<Record<string, string>>>()
  const headersFor = (format: Format, method: Method): Readonly<Record<string, string>> => {
    const key = `${format} ${method}`
    let headers = headerCache.get(key)
    if (headers === undefined) {
      headers =
        method === "POST"
          ? {
              accept: accept[format],
              "content-type": "application/x-www-form-urlencoded",
              "user-agent": settings.userAgent
            }
          : { accept: accept[format], "user-agent": settings.userAgent }
      headerCache.set(key, headers)
    }
    return headers
  }

  const prepare: OverviewCall["prepare"] = (credentials, user, options) => {
    const { format, dialect, timeoutMs } = resolveCallOverrides(settings, options)
    const method = settings.method
    const path = wirePath(format, dialect)
    const context: CallContext = { method, path, user }
    if (typeof user !== "string" || user.length === 0) {
      return new InvalidRequestError({ ...context, messages: ["user must be a non-empty string"] })
    }
    const params = encodeRequestParams(credentials, user)
    return {
      context,
      format,
      timeoutMs,
      url: method === "POST" ? settings.baseUrl + path : `${settings.baseUrl}${path}?${params}`,
      body: method === "POST" ? params : undefined,
      headers: headersFor(format, method),
      apiKey: credentials.apiKey
    }
  }

  function attempts(call: PreparedCall, withResponse: false): Effect.Effect<Overview, ClientError>
  function attempts(call: PreparedCall, withResponse: true): Effect.Effect<WithResponse<Overview>, ClientError>
  function attempts(
    call: PreparedCall,
    withResponse: boolean
  ): Effect.Effect<Overview | WithResponse<Overview>, ClientError> {
    const deadlineAt = Date.now() + settings.deadlineMs
    const attempt = (n: number) =>
      Effect.callback<Overview | WithResponse<Overview>, ClientError>((resume) => {
        const limit = Math.min(call.timeoutMs, deadlineAt - Date.now())
        if (limit <= 0) {
          resume(
            Effect.fail(
              new TimeoutError({
                ...details(call.context, n - 1),
                messages: [`deadline of ${settings.deadlineMs} ms passed`]
              })
            )
          )
          return
        }
        const controller = new AbortController()
        let timedOutAfter: number | undefined
        const timer = setTimeout(() => {
          timedOutAfter = limit
          controller.abort()
        }, limit)
        let sent: Promise<TransportResponse>
        try {
          sent = transport({
            method: call.context.method,
            url: call.url,
            headers: call.headers,
            body: call.body,
            signal: controller.signal,
            maxResponseBytes: settings.maxResponseBytes
          })
        } catch (thrown) {
          sent = Promise.reject(thrown)
        }
        sent.then(
          (response) => {
            clearTimeout(timer)
            const overview = classify(response, call, settings, n)
            resume(
              withResponse ? Effect.map(overview, (data) => ({ data, response: responseInfoOf(response) })) : overview
            )
          },
          (thrown: unknown) => {
            clearTimeout(timer)
            resume(Effect.fail(transportFailure(thrown, timedOutAfter, call, n)))
          }
        )
        return Effect.sync(() => {
          clearTimeout(timer)
          controller.abort()
        })
      })
    return withRetries(attempt, { maxRetries: settings.maxRetries, backoff: settings.backoff, deadlineAt })
  }

  const send = (call: PreparedCall) => Effect.suspend(() => attempts(call, false))
  const sendWithResponse = (call: PreparedCall) => Effect.suspend(() => attempts(call, true))

  const run: OverviewCall["run"] = (credentials, user, options) =>
    Effect.suspend(() => {
      const call = prepare(credentials, user, options)
      return call instanceof InvalidRequestError ? Effect.fail(call) : attempts(call, false)
    })

  const runWithResponse: OverviewCall["runWithResponse"] = (credentials, user, options) =>
    Effect.suspend(() => {
      const call = prepare(credentials, user, options)
      return call instanceof InvalidRequestError ? Effect.fail(call) : attempts(call, true)
    })

  return { prepare, send, sendWithResponse, run, runWithResponse }
}
