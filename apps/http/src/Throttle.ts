/**
 * Per-instance throttles of the wire endpoints, in bounded memory:
 * failed authentications per api_user and per client address (a fixed
 * one-minute window), and an optional call rate per reseller (a token
 * bucket). With several instances behind a balancer each instance keeps its
 * own counts, so the effective limits are per instance.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Option } from "effect"
import { Settings } from "./Settings.js"

/**
 * The most keys each throttle tracks; past it the oldest entry is dropped.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxTrackedKeys = 10_000

const windowMillis = 60_000

interface Window {
  start: number
  failures: number
}

const retryAfter = (untilMillis: number, now: number): number => Math.max(1, Math.ceil((untilMillis - now) / 1000))

const remember = <V>(map: Map<string, V>, key: string, value: V, cap: number): void => {
  if (map.size >= cap) {
    const oldest = map.keys().next()
    if (oldest.done !== true) map.delete(oldest.value)
  }
  map.set(key, value)
}

/**
 * Counts failed authentications by key (`user:<api_user>` or
 * `addr:<address>`) in one-minute windows: once a key reaches `limit`
 * failures, it is blocked until its window ends.
 *
 * @since 0.1.0
 * @category models
 */
export interface FailureCounter {
  /** Seconds to wait when `key` is blocked at `now`, else `undefined`. */
  readonly blockedFor: (key: string, now: number) => number | undefined
  readonly recordFailure: (key: string, now: number) => void
  readonly size: () => number
}

/**
 * A failure counter with `limit` failures per minute and at most `cap` keys.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFailureCounter = (limit: number, cap: number = maxTrackedKeys): FailureCounter => {
  const windows = new Map<string, Window>()
  return {
    blockedFor: (key, now) => {
      const window = windows.get(key)
      if (window === undefined) return undefined
      if (now - window.start >= windowMillis) {
        windows.delete(key)
        return undefined
      }
      return window.failures >= limit ? retryAfter(window.start + windowMillis, now) : undefined
    },
    recordFailure: (key, now) => {
      const window = windows.get(key)
      if (window === undefined || now - window.start >= windowMillis) {
        if (window !== undefined) windows.delete(key)
        remember(windows, key, { start: now, failures: 1 }, cap)
      } else {
        window.failures += 1
      }
    },
    size: () => windows.size
  }
}

interface Bucket {
  tokens: number
  updated: number
}

/**
 * A token bucket per key: `perMinute` tokens of capacity, refilled evenly
 * over a minute.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateBuckets {
  /** Seconds to wait when `key` has no token at `now`, else `undefined`. */
  readonly emptyFor: (key: string, now: number) => number | undefined
  /** Takes one token of `key` (an empty bucket stays empty). */
  readonly take: (key: string, now: number) => void
  readonly size: () => number
}

/**
 * Token buckets of `perMinute` capacity, for at most `cap` keys.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRateBuckets = (perMinute: number, cap: number = maxTrackedKeys): RateBuckets => {
  const buckets = new Map<string, Bucket>()
  const perMilli = perMinute / windowMillis
  const refill = (bucket: Bucket, now: number): void => {
    if (now > bucket.updated) {
      bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.updated) * perMilli)
      bucket.updated = now
    }
  }
  return {
    emptyFor: (key, now) => {
      const bucket = buckets.get(key)
      if (bucket === undefined) return undefined
      refill(bucket, now)
      return bucket.tokens >= 1 ? undefined : retryAfter(now + (1 - bucket.tokens) / perMilli, now)
    },
    take: (key, now) => {
      let bucket = buckets.get(key)
      if (bucket === undefined) {
        bucket = { tokens: perMinute, updated: now }
        remember(buckets, key, bucket, cap)
      } else {
        refill(bucket, now)
      }
      bucket.tokens = Math.max(0, bucket.tokens - 1)
    },
    size: () => buckets.size
  }
}

/**
 * The throttles of the wire endpoints.
 *
 * @since 0.1.0
 * @category services
 */
export class Throttles extends Context.Service<
  Throttles,
  {
    readonly authFailures: FailureCounter
    /** `None` when `RATE_LIMIT_PER_MINUTE` is off. */
    readonly rate: Option.Option<RateBuckets>
  }
>()("@account-overview/http/Throttles") {
  /**
   * Throttles sized from the settings.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<Throttles, never, Settings> = Layer.effect(
    Throttles,
    Effect.gen(function* () {
      const settings = yield* Settings
      return Throttles.of({
        authFailures: makeFailureCounter(settings.authFailureLimit),
        rate: Option.map(settings.rateLimitPerMinute, (perMinute) => makeRateBuckets(perMinute))
      })
    })
  )
}
