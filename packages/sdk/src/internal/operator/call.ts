/**
 * One operator call: an endpoint of the client derived from `OperatorApi`,
 * run with a timeout per attempt, an overall deadline and the SDK's retry
 * policy, its failures as the SDK's error classes naming the request line
 * that the endpoint's declaration gives.
 */
import { Context, Effect } from "effect"
import type { ClientError } from "../../Errors.js"
import type { Scrub } from "../redact.js"
import { withRetries } from "../retry.js"
import { operatorError } from "./errors.js"
import { type Route, requestLine } from "./routes.js"
import type { OperatorSettings } from "./settings.js"

/**
 * Where an attempt's answer leaves its request id (the bearer middleware
 * writes it, the attempt's error reads it): none outside an attempt.
 */
export const AnswerSeen = Context.Reference<{ requestId: string | undefined } | undefined>(
  "@account-overview/sdk/internal/operator/AnswerSeen",
  { defaultValue: () => undefined }
)

const paramsOf = (request: unknown): Readonly<Record<string, string>> | undefined =>
  typeof request === "object" && request !== null
    ? (request as { readonly params?: Readonly<Record<string, string>> }).params
    : undefined

/**
 * Runs `endpoint(request)` as one call; `retries` (default: the settings')
 * bounds its retries. The request's path parameters name the path.
 */
export interface Call {
  <A, E, R>(endpoint: () => Effect.Effect<A, E, R>): Effect.Effect<A, ClientError, R>
  <Req, A, E, R>(
    endpoint: (request: Req) => Effect.Effect<A, E, R>,
    request: Req,
    options?: { readonly retries?: number | undefined }
  ): Effect.Effect<A, ClientError, R>
}

export const makeCall = (
  settings: OperatorSettings,
  routeOfEndpoint: (endpoint: Function) => Route,
  scrub: Scrub
): Call =>
  function call<Req, A, E, R>(
    endpoint: (request: Req) => Effect.Effect<A, E, R>,
    request?: Req,
    options?: { readonly retries?: number | undefined }
  ): Effect.Effect<A, ClientError, R> {
    const line = requestLine(routeOfEndpoint(endpoint), paramsOf(request))
    return Effect.suspend(() => {
      const deadlineAt = Date.now() + settings.deadlineMs
      return withRetries(
        (n) =>
          Effect.suspend(() => {
            const seen = { requestId: undefined as string | undefined }
            return endpoint(request as Req).pipe(
              Effect.timeout(Math.max(1, Math.min(settings.timeoutMs, deadlineAt - Date.now()))),
              Effect.mapError((failure) =>
                operatorError(
                  failure,
                  { ...line, attempts: n + 1, ...(seen.requestId === undefined ? {} : { requestId: seen.requestId }) },
                  scrub
                )
              ),
              Effect.provideService(AnswerSeen, seen)
            )
          }),
        { maxRetries: options?.retries ?? settings.maxRetries, backoff: settings.backoff, deadlineAt }
      )
    })
  }
