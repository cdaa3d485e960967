/**
 * The overview call of the wire endpoints, as an Effect service: from the
 * request's parameters to the status and bytes of the answer, through
 * core's codecs and `AccountOverviews`, with the throttles in front. It never
 * fails: every failure is an answer, and no internals reach a body.
 *
 * @since 0.1.0
 */
import {
  AccountOverviews,
  apiKeyUser,
  contentTypeOf,
  type Dialect,
  decodeRequestParams,
  encodeErrorBody,
  encodeOverview,
  errorTable,
  type Format,
  InternalError,
  type OverviewError,
  type OverviewRequest,
  toWire
} from "@account-overview/core"
import { Ledger } from "@account-overview/store"
import { Cause, Context, Effect, Layer, Option, Result } from "effect"
import { Metrics } from "../Metrics.js"
import { Throttles } from "../Throttle.js"

/**
 * One wire call, parsed.
 *
 * @since 0.1.0
 * @category models
 */
export interface WireCall {
  readonly format: Format
  readonly dialect: Dialect
  /** The parameters, form-urlencoded: the query string, then `&` and the body's parameters. */
  readonly params: string
  /** The token of `Authorization: Bearer <token>`, when sent. */
  readonly bearer: string | undefined
  /** The client's address (the throttle's key). */
  readonly address: string
  readonly requestId: string
}

/**
 * The answer to a wire call.
 *
 * @since 0.1.0
 * @category models
 */
export interface WireAnswer {
  readonly status: number
  readonly contentType: string
  readonly body: Uint8Array
  /** Seconds, for `Retry-After`. */
  readonly retryAfter?: number
}

const unresolvable = "\u0000"

/**
 * An error answer in `format`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const errorAnswer = (
  status: number,
  errors: readonly [string, ...Array<string>],
  format: Format,
  retryAfter?: number
): WireAnswer =>
  retryAfter === undefined
    ? { status, contentType: contentTypeOf(format), body: encodeErrorBody(errors, format) }
    : { status, contentType: contentTypeOf(format), body: encodeErrorBody(errors, format), retryAfter }

/**
 * The wire handler.
 *
 * @since 0.1.0
 * @category services
 */
export class WireHandler extends Context.Service<
  WireHandler,
  {
    readonly answer: (call: WireCall) => Effect.Effect<WireAnswer>
  }
>()("@account-overview/http/WireHandler") {
  /**
   * The handler over `AccountOverviews` (and the `Ledger`, to find the
   * reseller of a key-only call: `api_user` left out with a bearer token, or
   * the literal `apikey`; the reseller is then the customer's own).
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<WireHandler, never, AccountOverviews | Ledger | Throttles | Metrics> =
    Layer.effect(
      WireHandler,
      Effect.gen(function* () {
        const overviews = yield* AccountOverviews
        const ledger = yield* Ledger
        const throttles = yield* Throttles
        const metrics = yield* Metrics
        const rate = Option.getOrUndefined(throttles.rate)

        const resellerOf = (user: string) =>
          ledger
            .getCustomer(user)
            .pipe(Effect.map((customer) => (Option.isSome(customer) ? customer.value.reseller : unresolvable)))

        const throttled = (call: WireCall, seconds: number, kind: "auth_failures" | "rate_limit"): WireAnswer => {
          metrics.throttled(kind)
          return errorAnswer(
            errorTable.RateLimited.status,
            [`${errorTable.RateLimited.message}, retry after ${seconds} s`],
            call.format,
            seconds
          )
        }

        const failure = (call: WireCall, error: OverviewError | InternalError): WireAnswer => {
          const wire = toWire(error)
          return error._tag === "RateLimited"
            ? errorAnswer(wire.status, wire.errors, call.format, error.retryAfterSeconds)
            : errorAnswer(wire.status, wire.errors, call.format)
        }

        const internal = (call: WireCall, cause: Cause.Cause<unknown>) =>
          Effect.as(
            Effect.logError("overview failed: internal error", cause).pipe(
              Effect.annotateLogs({ requestId: call.requestId })
            ),
            failure(call, new InternalError())
          )

        const failed = (
          call: WireCall,
          apiUser: string,
          now: number,
          cause: Cause.Cause<OverviewError>
        ): Effect.Effect<WireAnswer> => {
          const error = Cause.findErrorOption(cause)
          if (Option.isNone(error)) return internal(call, cause)
          switch (error.value._tag) {
            case "AuthenticationFailed":
              if (apiUser !== unresolvable) throttles.authFailures.recordFailure(`u:${apiUser}`, now)
              throttles.authFailures.recordFailure(`a:${call.address}`, now)
              break
            case "CustomerNotFound":
              rate?.take(apiUser, now)
              break
            case "Unavailable":
              metrics.storeError()
              return Effect.as(
                Effect.logWarning("overview failed: store unavailable").pipe(
                  Effect.annotateLogs({ requestId: call.requestId, reason: error.value.reason })
                ),
                failure(call, error.value)
              )
          }
          return Effect.succeed(failure(call, error.value))
        }

        const authorized = (call: WireCall, request: OverviewRequest, apiUser: string): Effect.Effect<WireAnswer> =>
          Effect.clockWith((clock) => {
            const now = clock.currentTimeMillisUnsafe()
            const blocked =
              throttles.authFailures.blockedFor(`u:${apiUser}`, now) ??
              throttles.authFailures.blockedFor(`a:${call.address}`, now)
            if (blocked !== undefined) return Effect.succeed(throttled(call, blocked, "auth_failures"))
            if (rate !== undefined) {
              const empty = rate.emptyFor(apiUser, now)
              if (empty !== undefined) return Effect.succeed(throttled(call, empty, "rate_limit"))
            }
            return Effect.matchCauseEffect(overviews.overview({ apiUser, apiKey: request.apiKey }, request.user), {
              onSuccess: (overview) => {
                rate?.take(apiUser, now)
                return Effect.succeed<WireAnswer>({
                  status: 200,
                  contentType: contentTypeOf(call.format),
                  body: encodeOverview(overview, call.format, call.dialect)
                })
              },
              onFailure: (cause) => failed(call, apiUser, now, cause)
            })
          })

        const answer = (call: WireCall): Effect.Effect<WireAnswer> => {
          const decoded =
            call.bearer === undefined
              ? decodeRequestParams(call.params)
              : decodeRequestParams(`${call.params}&api_key=${encodeURIComponent(call.bearer)}`, {
                  apiUser: apiKeyUser
                })
          if (Result.isFailure(decoded)) return Effect.succeed(failure(call, decoded.failure))
          const request = decoded.success
          if (request.apiUser !== apiKeyUser) return authorized(call, request, request.apiUser)
          return Effect.matchCauseEffect(resellerOf(request.user), {
            onSuccess: (apiUser) => authorized(call, request, apiUser),
            onFailure: (cause) => Effect.clockWith((clock) => failed(call, "", clock.currentTimeMillisUnsafe(), cause))
          })
        }

        return WireHandler.of({
          answer: (call) => {
            try {
              return answer(call)
            } catch (defect) {
              return internal(call, Cause.die(defect))
            }
          }
        })
      })
    )
}
