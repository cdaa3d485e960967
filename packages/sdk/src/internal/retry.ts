/**
 * The one retry policy of the SDK, used by the overview calls (Promise and
 * Effect) and by the operator client: which failures are retried, how long
 * to wait, and the loop itself, bounded by `maxRetries` and a deadline.
 */
import { Effect } from "effect"
import { type AccountOverviewError, RateLimitError } from "../Errors.js"

/**
 * The waits between attempts: full-jitter exponential backoff
 * (`random(0, min(capMs, baseMs * 2^retry))`), unless the server said
 * `Retry-After`, which is honoured up to `maxRetryAfterMs`.
 */
export interface Backoff {
  readonly baseMs: number
  readonly capMs: number
  readonly maxRetryAfterMs: number
}

export const defaultBackoff: Backoff = { baseMs: 250, capMs: 8_000, maxRetryAfterMs: 60_000 }

/** Retry-After hints of failures that are not `RateLimitError` (a 503 may carry one). */
const retryAfterHints = new WeakMap<AccountOverviewError, number>()

export const withRetryAfter = <E extends AccountOverviewError>(error: E, retryAfterMs: number | undefined): E => {
  if (retryAfterMs !== undefined) retryAfterHints.set(error, retryAfterMs)
  return error
}

const retryAfterOf = (error: AccountOverviewError): number | undefined =>
  error instanceof RateLimitError ? error.retryAfterMs : retryAfterHints.get(error)

/** `Retry-After` in milliseconds: delta-seconds or an HTTP-date (IMF-fixdate, RFC 850 or asctime); `undefined` when absent or unreadable. */
export const parseRetryAfter = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  if (!/^[A-Za-z]{3}, \d/.test(text) && !/^[A-Za-z]+day, /.test(text) && !/^[A-Za-z]{3} [A-Za-z]{3} /.test(text)) {
    return undefined
  }
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Whether an attempt's failure may succeed when tried again. */
export const isRetryable = (error: AccountOverviewError): boolean => {
  switch (error.code) {
    case "rate_limited":
    case "connection_error":
    case "timeout":
      return true
    case "server_error":
      return error.status !== undefined && error.status >= 500
    default:
      return false
  }
}

/** The wait before retry number `retry` (0 for the first retry), or `undefined` to give up. */
export const delayFor = (
  error: AccountOverviewError,
  retry: number,
  backoff: Backoff,
  random: () => number = Math.random
): number | undefined => {
  const hint = retryAfterOf(error)
  if (hint !== undefined) return hint <= backoff.maxRetryAfterMs ? hint : undefined
  return Math.floor(random() * Math.min(backoff.capMs, backoff.baseMs * 2 ** retry))
}

/** Waits in real time (not the Effect clock: the SDK's timings are wall-clock); interruptible. */
export const sleep = (ms: number): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    const timer = setTimeout(() => resume(Effect.void), ms)
    return Effect.sync(() => clearTimeout(timer))
  })

export interface RetryPolicy {
  readonly maxRetries: number
  readonly backoff: Backoff
  /** Epoch ms past which no attempt starts and no wait is begun. */
  readonly deadlineAt: number
}

/**
 * Runs `attempt(n)` (n = 0, 1, ...) until it succeeds, fails with a failure
 * that is not retryable, `maxRetries` is spent, or the next wait would end
 * past the deadline; the last failure is the result. The success path costs
 * nothing beyond the attempt.
 */
export const withRetries = <A, E extends AccountOverviewError, R = never>(
  attempt: (n: number) => Effect.Effect<A, E, R>,
  policy: RetryPolicy
): Effect.Effect<A, E, R> => {
  const loop = (n: number): Effect.Effect<A, E, R> =>
    Effect.catch(attempt(n), (error) => {
      if (n >= policy.maxRetries || !isRetryable(error)) return Effect.fail(error)
      const delay = delayFor(error, n, policy.backoff)
      if (delay === undefined || Date.now() + delay >= policy.deadlineAt) return Effect.fail(error)
      return Effect.andThen(
        sleep(delay),
        Effect.suspend(() => loop(n + 1))
      )
    })
  return loop(0)
}
