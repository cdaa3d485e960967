/**
 * The overview call of the wire endpoints, as an Effect service: from the
 * request's parameters to the status and bytes of the answer, through
 * core's codecs and `AccountOverviews`, with the throttles in front. It never
 * fails: every failure is an answer, and no internals reach a body.
 *
 * The throttles (decision 0085) look at the client's address before
 * anything is read, and at the reseller a call speaks for: the `api_user`,
 * or for a key-only call (`apikey`, or a bearer token without `api_user`)
 * the customer's own reseller, which only `AccountOverviews` knows; it
 * hands it to the call's `admit` before it checks the key. A key-only
 * call's reseller is never used to refuse it, so a throttled answer never
 * depends on whose customer was asked for.
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
  type Format,
  InternalError,
  type Overview,
  type OverviewError,
  type OverviewRequest,
  type ParamsSource,
  type RateLimited,
  toWire
} from "@account-overview/core"
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
  /**
   * The query string, without its `?`.
   *
   * @since 0.2.0
   */
  readonly query: string
  /**
   * A POST body's parameters (a form body's text or a multipart body's
   * fields), read after the query as one list.
   *
   * @since 0.2.0
   */
  readonly body?: ParamsSource | undefined
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
 * The answer to a failure: its status and wire messages from core's error
 * table (`toWire`), with `Retry-After` for a `RateLimited`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const failureAnswer = (error: OverviewError | InternalError, format: Format): WireAnswer => {
  const wire = toWire(error)
  return error._tag === "RateLimited"
    ? errorAnswer(wire.status, wire.errors, format, error.retryAfterSeconds)
    : errorAnswer(wire.status, wire.errors, format)
}

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
   * The handler over `AccountOverviews`, with the throttles and metrics.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layer: Layer.Layer<WireHandler, never, AccountOverviews | Throttles | Metrics> = Layer.effect(
    WireHandler,
    Effect.gen(function* () {
      const overviews = yield* AccountOverviews
      const throttles = yield* Throttles
      const metrics = yield* Metrics

      const internal = (call: WireCall, cause: Cause.Cause<unknown>) =>
        Effect.as(
          Effect.logError("overview failed: internal error", cause).pipe(
            Effect.annotateLogs({ requestId: call.requestId })
          ),
          failureAnswer(new InternalError(), call.format)
        )

      const ok = (call: WireCall, overview: Overview): WireAnswer => ({
        status: 200,
        contentType: contentTypeOf(call.format),
        body: encodeOverview(overview, call.format, call.dialect)
      })

      // One call's throttling (decision 0085): the address's failure budget
      // and the budget of the reseller the call names (never a key-only
      // call's: that one comes from the customer asked for) before anything
      // is read; `admit` learns the reseller the call speaks for; an
      // authenticated call (200, 404) then takes a token of its reseller's
      // rate; a failed one is counted against the address and the named
      // reseller.
      const authorized = (call: WireCall, request: OverviewRequest) => {
        const named = request.apiUser !== apiKeyUser ? request.apiUser : undefined
        return Effect.flatMap(throttles.admit(call.address, named), () => {
          let reseller: string | undefined
          const admit = (speaksFor: string | undefined): Effect.Effect<void> => {
            reseller = speaksFor
            return Effect.void
          }
          const rated = (answer: WireAnswer): Effect.Effect<WireAnswer, RateLimited> =>
            !throttles.rateOn || reseller === undefined
              ? Effect.succeed(answer)
              : Effect.as(throttles.takeRate(reseller), answer)
          return Effect.matchCauseEffect(overviews.overview(request, request.user, { admit }), {
            onSuccess: (overview) => rated(ok(call, overview)),
            onFailure: (cause): Effect.Effect<WireAnswer, RateLimited> => {
              const error = Cause.findErrorOption(cause)
              if (Option.isNone(error)) return internal(call, cause)
              switch (error.value._tag) {
                case "AuthenticationFailed":
                  return Effect.as(
                    throttles.recordFailure(call.address, named),
                    failureAnswer(error.value, call.format)
                  )
                case "CustomerNotFound":
                  return rated(failureAnswer(error.value, call.format))
                case "Unavailable":
                  metrics.storeError()
                  return Effect.as(
                    Effect.logWarning("overview failed: store unavailable").pipe(
                      Effect.annotateLogs({ requestId: call.requestId, reason: error.value.reason })
                    ),
                    failureAnswer(error.value, call.format)
                  )
              }
              return Effect.succeed(failureAnswer(error.value, call.format))
            }
          })
        }).pipe(Effect.catch((limited: RateLimited) => Effect.succeed(failureAnswer(limited, call.format))))
      }

      const answer = (call: WireCall): Effect.Effect<WireAnswer> => {
        const decoded =
          call.body === undefined && call.bearer === undefined
            ? decodeRequestParams(call.query)
            : decodeRequestParams(call.query, { body: call.body, bearerKey: call.bearer })
        if (Result.isFailure(decoded)) return Effect.succeed(failureAnswer(decoded.failure, call.format))
        return authorized(call, decoded.success)
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
