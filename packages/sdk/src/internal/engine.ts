/**
 * The overview call, once, for every API of the SDK: build the request with
 * core's parameter encoder, send it through the transport with a timeout per
 * attempt and an overall deadline, classify the answer, decode it with
 * core's decoder, retry what may succeed later. The Promise client runs it,
 * the Effect layers map its failures to core's tagged errors.
 */
import {
  type Credentials,
  type Dialect,
  decodeResponse,
  encodeRequestParams,
  type Format,
  type Overview,
  wireMessage
} from "@account-overview/core"
import { Effect, Redacted, Result } from "effect"
import {
  AccountOverviewError,
  AuthenticationError,
  ConnectionError,
  DecodeError,
  type ErrorDetails,
  InvalidRequestError,
  NotFoundError,
  RateLimitError,
  ServerError,
  TimeoutError
} from "../Errors.js"
import type { TransportResponse } from "../Transport.js"
import { makeScrub, type Scrub, safeCause } from "./redact.js"
import { parseRetryAfter, withRetries, withRetryAfter } from "./retry.js"
import type { EngineSettings, Method } from "./settings.js"

/** Per-call choices that override the engine's settings. */
export interface CallOverrides {
  readonly format?: Format | undefined
  readonly dialect?: Dialect | undefined
  readonly method?: Method | undefined
  readonly timeoutMs?: number | undefined
}

export const wirePath = (format: Format, dialect: Dialect): string =>
  dialect === "v1" ? `/api/distributor.account.${format}` : `/apiv2/reseller.account.${format}`

const accept = { json: "application/json", xml: "application/xml, text/xml" } as const

interface Context {
  readonly method: Method
  readonly path: string
  readonly user: string
  readonly apiKey: Redacted.Redacted<string>
}

const scrubFor = (context: Context): Scrub => makeScrub([Redacted.value(context.apiKey)])

const details = (context: Context, attempt: number, response?: TransportResponse): ErrorDetails => ({
  method: context.method,
  path: context.path,
  user: context.user,
  attempts: attempt + 1,
  ...(response === undefined
    ? {}
    : { status: response.status, requestId: response.headers["x-request-id"] || undefined })
})

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

/** A 2xx answer carrying an error body: older servers did this; its stable message tells the failure. */
const legacyError = (messages: ReadonlyArray<string>, base: ErrorDetails, scrub: Scrub): AccountOverviewError => {
  const withMessages = { ...base, messages: messages.map((message) => scrub(message)) }
  if (messages.includes(wireMessage.AuthenticationFailed)) return new AuthenticationError(withMessages)
  if (messages.includes(wireMessage.CustomerNotFound)) return new NotFoundError(withMessages)
  return new InvalidRequestError(withMessages)
}

const classify = (
  response: TransportResponse,
  format: Format,
  settings: EngineSettings,
  context: Context,
  attempt: number
): Effect.Effect<Overview, AccountOverviewError> => {
  const status = response.status
  if (status >= 200 && status < 300) {
    const decoded = decodeResponse(response.body, response.headers["content-type"], {
      maxBytes: settings.maxResponseBytes,
      format
    })
    if (Result.isSuccess(decoded)) {
      if (decoded.success._tag === "Overview") return Effect.succeed(decoded.success.overview)
      return Effect.fail(
        legacyError(decoded.success.body.errors, details(context, attempt, response), scrubFor(context))
      )
    }
    const scrub = scrubFor(context)
    return Effect.fail(
      new DecodeError({
        ...details(context, attempt, response),
        field: decoded.failure.path,
        reason: scrub(decoded.failure.reason)
      })
    )
  }
  const scrub = scrubFor(context)
  const base = {
    ...details(context, attempt, response),
    messages: errorMessages(response, format, settings.maxResponseBytes, scrub)
  }
  const retryAfterMs = parseRetryAfter(response.headers["retry-after"], Date.now())
  switch (status) {
    case 401:
    case 403:
      return Effect.fail(new AuthenticationError(base))
    case 404:
      return Effect.fail(new NotFoundError(base))
    case 408:
      return Effect.fail(new TimeoutError(base))
    case 429:
      return Effect.fail(new RateLimitError({ ...base, retryAfterMs }))
  }
  if (status >= 500) return Effect.fail(withRetryAfter(new ServerError(base), retryAfterMs))
  if (status >= 400) return Effect.fail(new InvalidRequestError(base))
  return Effect.fail(new ServerError({ ...base, messages: [`unexpected status ${status}`, ...base.messages] }))
}

const transportFailure = (thrown: unknown, timedOutAfter: number | undefined, context: Context, attempt: number) => {
  if (timedOutAfter !== undefined) {
    return new TimeoutError({
      ...details(context, attempt),
      messages: [`no complete answer within ${timedOutAfter} ms`]
    })
  }
  if (thrown instanceof DecodeError) {
    return new DecodeError({
      ...details(context, attempt),
      status: thrown.status,
      field: thrown.field,
      reason: thrown.reason
    })
  }
  if (thrown instanceof AccountOverviewError) return thrown
  return new ConnectionError({ ...details(context, attempt), cause: safeCause(thrown, scrubFor(context)) })
}

/** The overview call of one engine (settings and transport). */
export const makeOverviewCall = (settings: EngineSettings) => {
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

  return (
    credentials: Credentials,
    user: string,
    overrides?: CallOverrides | undefined
  ): Effect.Effect<Overview, AccountOverviewError> =>
    Effect.suspend(() => {
      const format = overrides?.format ?? settings.format
      const dialect = overrides?.dialect ?? settings.dialect
      const method = overrides?.method ?? settings.method
      const timeoutMs = overrides?.timeoutMs ?? settings.timeoutMs
      const path = wirePath(format, dialect)
      const context: Context = { method, path, user, apiKey: credentials.apiKey }
      if (user.length === 0) {
        return Effect.fail(new InvalidRequestError({ ...details(context, -1), messages: ["user must not be empty"] }))
      }
      const params = encodeRequestParams(credentials, user)
      const url = method === "POST" ? settings.baseUrl + path : `${settings.baseUrl}${path}?${params}`
      const body = method === "POST" ? params : undefined
      const headers = headersFor(format, method)
      const deadlineAt = Date.now() + settings.deadlineMs

      const attempt = (n: number) =>
        Effect.callback<Overview, AccountOverviewError>((resume) => {
          const limit = Math.min(timeoutMs, deadlineAt - Date.now())
          if (limit <= 0) {
            resume(
              Effect.fail(
                new TimeoutError({
                  ...details(context, n - 1),
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
            sent = settings.transport({
              method,
              url,
              headers,
              body,
              signal: controller.signal,
              maxResponseBytes: settings.maxResponseBytes
            })
          } catch (thrown) {
            sent = Promise.reject(thrown)
          }
          sent.then(
            (response) => {
              clearTimeout(timer)
              resume(classify(response, format, settings, context, n))
            },
            (thrown: unknown) => {
              clearTimeout(timer)
              resume(Effect.fail(transportFailure(thrown, timedOutAfter, context, n)))
            }
          )
          return Effect.sync(() => {
            clearTimeout(timer)
            controller.abort()
          })
        })

      return withRetries(attempt, { maxRetries: settings.maxRetries, backoff: settings.backoff, deadlineAt })
    })
}
