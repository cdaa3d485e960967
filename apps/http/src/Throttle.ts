/**
 * The throttles of the wire endpoints (decision 0085), on Effect's
 * `RateLimiter`: failed authentications per client address and per named
 * reseller (fixed windows of one minute), and an optional call rate per
 * reseller (a token bucket). The counts live in this instance's bounded
 * memory, or with `REDIS_URL` in a Redis every instance shares; when that
 * Redis does not answer, the instance counts in its own memory until it
 * does again (a metric and a log line say so).
 *
 * What the throttles may refuse, and when:
 * - a call from an address that spent its failure budget, before anything
 *   is read, whatever it asks for;
 * - a call naming an `api_user` whose failure budget across addresses is
 *   spent, only from an address that itself failed within the last minute:
 *   a correct key from a clean address is never refused by the failure
 *   throttle;
 * - an authenticated call past its reseller's rate (after the key check,
 *   so that a wrong key reads 401 whatever the reseller's traffic).
 *
 * @since 0.1.0
 */

import { RateLimited } from "@account-overview/core"
import { Context, Data, Duration, Effect, Layer, Option, Redacted, Schema } from "effect"
import * as RateLimiter from "effect/persistence/RateLimiter"
import { Metrics } from "./Metrics.js"
import { Settings } from "./Settings.js"

/**
 * The most keys the memory store tracks per algorithm; past it the oldest
 * entry is dropped.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxTrackedKeys = 10_000

/**
 * A named reseller's failure budget across addresses, in multiples of
 * `AUTH_FAILURE_LIMIT`.
 *
 * @since 0.2.0
 * @category constants
 */
export const resellerFailureFactor = 10

/**
 * How long one Redis operation of a throttle may take before the instance
 * counts in its own memory instead, in milliseconds.
 *
 * @since 0.2.0
 * @category constants
 */
export const redisTimeoutMillis = 250

const window = Duration.minutes(1)
const RateLimiterStore = RateLimiter.RateLimiterStore

/**
 * A `RateLimiterStore` in memory with the semantics of Effect's
 * `layerStoreMemory`, holding at most `cap` keys per algorithm (the oldest
 * goes first), so that a flood of distinct addresses cannot grow it without
 * bound. A look with zero tokens stores nothing.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeMemoryStore = (cap: number = maxTrackedKeys) => {
  const counters = new Map<string, { count: number; expiresAt: number }>()
  const buckets = new Map<string, { tokens: number; lastRefill: number }>()
  const remember = <V>(map: Map<string, V>, key: string, value: V): void => {
    map.delete(key)
    if (map.size >= cap) {
      const oldest = map.keys().next()
      if (oldest.done !== true) map.delete(oldest.value)
    }
    map.set(key, value)
  }
  const store = RateLimiterStore.of({
    fixedWindow: (options) =>
      Effect.clockWith((clock) =>
        Effect.sync(() => {
          const now = clock.currentTimeMillisUnsafe()
          let counter = counters.get(options.key)
          if (counter === undefined || counter.expiresAt <= now) {
            if (counter !== undefined) counters.delete(options.key)
            if (options.tokens === 0) return [0, 0] as const
            counter = { count: 0, expiresAt: now }
            remember(counters, options.key, counter)
          }
          if (options.limit !== undefined && counter.count + options.tokens > options.limit) {
            return [counter.count + options.tokens, counter.expiresAt - now] as const
          }
          counter.count += options.tokens
          counter.expiresAt += Duration.toMillis(options.refillRate) * options.tokens
          return [counter.count, counter.expiresAt - now] as const
        })
      ),
    tokenBucket: (options) =>
      Effect.clockWith((clock) =>
        Effect.sync(() => {
          const refill = Duration.toMillis(options.refillRate)
          const now = clock.currentTimeMillisUnsafe()
          let bucket = buckets.get(options.key)
          if (bucket === undefined) {
            bucket = { tokens: options.limit, lastRefill: now }
            remember(buckets, options.key, bucket)
          }
          const add = Math.floor((now - bucket.lastRefill) / refill)
          if (add > 0) {
            bucket.tokens = Math.min(options.limit, bucket.tokens + add)
            bucket.lastRefill += add * refill
          }
          if (bucket.tokens >= options.limit) bucket.lastRefill = now
          const next = bucket.tokens - options.tokens
          if (options.allowOverflow || next >= 0) bucket.tokens = next
          return [next, Math.max(0, now - bucket.lastRefill)] as const
        })
      ),
    adaptiveConsume: () => Effect.succeed({ delay: Duration.zero, epoch: 0, phase: "inactive" as const }),
    adaptiveFeedback: () => Effect.void
  })
  return {
    store,
    size: () => counters.size + buckets.size,
    /** Whether a fixed-window counter is held for `key` (live or not yet swept): false when it never failed. */
    holds: (key: string) => counters.has(key)
  }
}

/**
 * Redis did not answer when the instance started with `REDIS_URL` set.
 *
 * @since 0.2.0
 * @category errors
 */
export class RedisUnavailable extends Schema.TaggedError<RedisUnavailable>("@account-overview/http/RedisUnavailable")(
  "RedisUnavailable",
  { message: Schema.String }
) {}

/**
 * The answer of one look at a failure budget: refused (with the seconds to
 * wait), or admitted, saying whether the key failed within its window.
 *
 * @since 0.2.0
 * @category models
 */
export type Admission =
  | { readonly _tag: "Refused"; readonly seconds: number }
  | { readonly _tag: "Admitted"; readonly failedRecently: boolean }

class StoreDown extends Data.TaggedError("StoreDown")<{ readonly cause: unknown }> {}

const seconds = (millis: number): number => Math.max(1, Math.ceil(millis / 1000))

/**
 * The throttles of the wire endpoints.
 *
 * @since 0.1.0
 * @category services
 */
export class Throttles extends Context.Service<
  Throttles,
  {
    /**
     * Before any read: refuses a call from an address that spent its failure
     * budget, or naming (`named`, the call's own `api_user`) a reseller whose
     * budget across addresses is spent when the address failed within the
     * last minute.
     */
    readonly admit: (address: string, named: string | undefined) => Effect.Effect<void, RateLimited>
    /** Counts a failed authentication against the address and, when the call named one, the reseller. */
    readonly recordFailure: (address: string, apiUser: string | undefined) => Effect.Effect<void>
    /** Takes one call of the reseller's rate (authenticated calls only); refused when its bucket is empty. */
    readonly takeRate: (reseller: string) => Effect.Effect<void, RateLimited>
    /** Whether the rate per reseller is on. */
    readonly rateOn: boolean
  }
>()("@account-overview/http/Throttles") {
  /**
   * Throttles over a `RateLimiterStore`: `shared` (Redis, or `None` for this
   * instance's memory only), falling back to `local` when `shared` fails.
   *
   * @since 0.2.0
   * @category constructors
   */
  static readonly make = Effect.fnUntraced(function* (shared: Option.Option<RateLimiter.RateLimiter>) {
    const settings = yield* Settings
    const metrics = yield* Metrics
    const memory = makeMemoryStore()
    const local = yield* RateLimiter.make.pipe(Effect.provideService(RateLimiterStore, memory.store))
    const limit = settings.authFailureLimit
    const resellerLimit = limit * resellerFailureFactor
    const perMinute = Option.getOrUndefined(settings.rateLimitPerMinute)
    let degraded = false

    type Options = Parameters<RateLimiter.RateLimiter["consume"]>[0]
    type Outcome =
      | { readonly ok: true; readonly remaining: number; readonly resetMillis: number }
      | { readonly ok: false; readonly retryMillis: number }

    const outcome = (limiter: RateLimiter.RateLimiter, options: Options): Effect.Effect<Outcome, StoreDown> =>
      limiter.consume(options).pipe(
        Effect.map(
          (result): Outcome => ({
            ok: true,
            remaining: result.remaining,
            resetMillis: Duration.toMillis(result.resetAfter)
          })
        ),
        Effect.catch(
          (error): Effect.Effect<Outcome, StoreDown> =>
            error.reason._tag === "RateLimitExceeded"
              ? Effect.succeed({ ok: false, retryMillis: Duration.toMillis(error.reason.retryAfter) })
              : Effect.fail(new StoreDown({ cause: error.reason }))
        )
      )

    const onLocal = (options: Options) => Effect.orDie(outcome(local, options))

    const consume: (options: Options) => Effect.Effect<Outcome> = Option.match(shared, {
      onNone: () => onLocal,
      onSome: (limiter) => (options: Options) =>
        outcome(limiter, options).pipe(
          Effect.timeoutOrElse({
            duration: Duration.millis(redisTimeoutMillis),
            orElse: () => Effect.fail(new StoreDown({ cause: "timeout" }))
          }),
          Effect.tap(() => {
            if (!degraded) return Effect.void
            degraded = false
            return Effect.logInfo("throttles: Redis answers again; counting in Redis")
          }),
          Effect.catch((down) => {
            metrics.throttleStoreError()
            const log = degraded
              ? Effect.void
              : Effect.logWarning("throttles: Redis does not answer; counting on this instance until it does").pipe(
                  Effect.annotateLogs({ reason: down.cause instanceof Error ? down.cause.message : String(down.cause) })
                )
            degraded = true
            return Effect.andThen(log, onLocal(options))
          })
        )
    })

    const refuse = (millis: number, kind: "auth_failures" | "rate_limit"): Effect.Effect<never, RateLimited> => {
      metrics.throttled(kind)
      return Effect.fail(new RateLimited({ retryAfterSeconds: seconds(millis) }))
    }

    const look = (key: string, max: number) => consume({ key, limit: max, window, tokens: 0 })
    const spent = (result: Outcome): number | undefined =>
      !result.ok ? result.retryMillis : result.remaining <= 0 ? result.resetMillis : undefined

    // The address's budget, and for a call naming its reseller that
    // reseller's budget too (both looked at together: one round trip to
    // Redis); a spent reseller budget refuses only an address marked as
    // having failed within the last minute.
    const admit = (address: string, named: string | undefined): Effect.Effect<void, RateLimited> => {
      // Counting in this instance's memory alone, an address (and reseller) with no counter has
      // not failed within the window: admitted without a look, the path of every clean call.
      if (
        Option.isNone(shared) &&
        !memory.holds(`fa:${address}`) &&
        (named === undefined || !memory.holds(`fu:${named}`))
      ) {
        return Effect.void
      }
      if (named === undefined) {
        return Effect.flatMap(look(`fa:${address}`, limit), (result) => {
          const wait = spent(result)
          return wait === undefined ? Effect.void : refuse(wait, "auth_failures")
        })
      }
      return Effect.flatMap(
        Effect.all([look(`fa:${address}`, limit), look(`fu:${named}`, resellerLimit)], { concurrency: 2 }),
        ([onAddress, onReseller]) => {
          const wait = spent(onAddress)
          if (wait !== undefined) return refuse(wait, "auth_failures")
          const resellerWait = spent(onReseller)
          if (resellerWait === undefined) return Effect.void
          return Effect.flatMap(look(`fr:${address}`, 1), (marked) =>
            spent(marked) === undefined ? Effect.void : refuse(resellerWait, "auth_failures")
          )
        }
      )
    }

    const recordFailure = (address: string, named: string | undefined): Effect.Effect<void> =>
      Effect.asVoid(
        Effect.all(
          [
            consume({ key: `fa:${address}`, limit, window }),
            consume({ key: `fr:${address}`, limit: 1, window }),
            ...(named === undefined ? [] : [consume({ key: `fu:${named}`, limit: resellerLimit, window })])
          ],
          { concurrency: "unbounded" }
        )
      )

    const takeRate = (reseller: string): Effect.Effect<void, RateLimited> =>
      perMinute === undefined
        ? Effect.void
        : Effect.flatMap(
            consume({ key: `rate:${reseller}`, limit: perMinute, window, algorithm: "token-bucket" }),
            (result) => (result.ok ? Effect.void : refuse(result.retryMillis, "rate_limit"))
          )

    return Throttles.of({ admit, recordFailure, takeRate, rateOn: perMinute !== undefined })
  })

  /**
   * Throttles sized from the settings: in this instance's memory, or in the
   * Redis of `REDIS_URL` (keys under `REDIS_KEY_PREFIX`), which must answer
   * when the instance starts.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layer: Layer.Layer<Throttles, RedisUnavailable, Settings | Metrics> = Layer.unwrap(
    Effect.map(
      Effect.service(Settings),
      (settings): Layer.Layer<Throttles, RedisUnavailable, Settings | Metrics> =>
        Option.match(settings.redisUrl, {
          onNone: () => Layer.effect(Throttles, Throttles.make(Option.none())),
          // `redis` loads only when it is used: importing it costs every start ~1 s on a busy machine.
          onSome: (url) =>
            Layer.unwrap(
              Effect.map(
                Effect.promise(() => import("@effect/platform-node/NodeRedis")),
                (NodeRedis) => {
                  let started = false
                  const redis = NodeRedis.layer({
                    url: Redacted.value(url),
                    disableOfflineQueue: true,
                    socket: {
                      connectTimeout: 2_000,
                      // At start a failure fails the layer; later the client retries for ever, every 2 s at most.
                      reconnectStrategy: (retries: number, cause: Error) =>
                        started ? Math.min(50 * 2 ** retries, 2_000) : cause
                    }
                  }).pipe(
                    Layer.catchTag("RedisError", (error) =>
                      Layer.effectContext(
                        Effect.fail(
                          new RedisUnavailable({
                            message: `REDIS_URL: Redis did not answer at start (${error.cause instanceof Error ? error.cause.message : "no answer"})`
                          })
                        )
                      )
                    )
                  )
                  return Layer.effect(
                    Throttles,
                    Effect.gen(function* () {
                      started = true
                      // On shutdown the client is dropped at once: closing it politely
                      // waits for a Redis that may be gone.
                      const { client } = yield* NodeRedis.NodeRedis
                      yield* Effect.addFinalizer(() =>
                        Effect.sync(() => {
                          if (client.isOpen) client.destroy()
                        })
                      )
                      const limiter = yield* RateLimiter.RateLimiter
                      return yield* Throttles.make(Option.some(limiter))
                    })
                  ).pipe(
                    Layer.provide(RateLimiter.layer),
                    Layer.provide(RateLimiter.layerStoreRedis({ prefix: settings.redisKeyPrefix })),
                    Layer.provide(redis)
                  )
                }
              )
            )
        })
    )
  )
}
