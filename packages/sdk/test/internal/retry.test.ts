import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { ConnectionError, InvalidRequestError, RateLimitError, ServerError, TimeoutError } from "../../src/index.js"
import {
  defaultBackoff,
  delayFor,
  isRetryable,
  parseRetryAfter,
  withRetries,
  withRetryAfter
} from "../../src/internal/retry.js"

describe("Retry-After", () => {
  it("reads delta-seconds and HTTP-dates, and nothing else", () => {
    const now = Date.parse("2024-02-29T12:00:00Z")
    assert.strictEqual(parseRetryAfter("3", now), 3000)
    assert.strictEqual(parseRetryAfter(" 0 ", now), 0)
    assert.strictEqual(parseRetryAfter("Thu, 29 Feb 2024 12:00:10 GMT", now), 10_000)
    assert.strictEqual(parseRetryAfter("Thursday, 29-Feb-24 12:00:10 GMT", now), 10_000)
    assert.strictEqual(parseRetryAfter("Thu, 29 Feb 2024 11:00:00 GMT", now), 0)
    assert.isUndefined(parseRetryAfter(undefined, now))
    assert.isUndefined(parseRetryAfter("soon", now))
    assert.isUndefined(parseRetryAfter("-1", now))
  })
})

describe("policy", () => {
  it("retries 408, 429, 5xx, connection failures and timeouts; nothing else", () => {
    assert.isTrue(isRetryable(new RateLimitError({ status: 429 })))
    assert.isTrue(isRetryable(new ServerError({ status: 502 })))
    assert.isTrue(isRetryable(new ConnectionError()))
    assert.isTrue(isRetryable(new TimeoutError({ status: 408 })))
    assert.isFalse(isRetryable(new ServerError({ status: 302 })))
    assert.isFalse(isRetryable(new InvalidRequestError({ status: 400 })))
  })

  it("full jitter under min(cap, base * 2^retry)", () => {
    assert.strictEqual(
      delayFor(new ConnectionError(), 0, defaultBackoff, () => 0.999_999),
      249
    )
    assert.strictEqual(
      delayFor(new ConnectionError(), 3, defaultBackoff, () => 0.5),
      1000
    )
    assert.strictEqual(
      delayFor(new ConnectionError(), 10, defaultBackoff, () => 0.999_999),
      7999
    )
    assert.strictEqual(
      delayFor(new ConnectionError(), 2, defaultBackoff, () => 0),
      0
    )
  })

  it("Retry-After wins, up to its bound", () => {
    assert.strictEqual(delayFor(new RateLimitError({ retryAfterMs: 1500 }), 0, defaultBackoff), 1500)
    assert.isUndefined(delayFor(new RateLimitError({ retryAfterMs: 61_000 }), 0, defaultBackoff))
    assert.strictEqual(delayFor(withRetryAfter(new ServerError({ status: 503 }), 2000), 0, defaultBackoff), 2000)
  })
})

describe("withRetries", () => {
  const policy = (maxRetries: number, deadlineMs = 10_000) => ({
    maxRetries,
    backoff: { baseMs: 1, capMs: 2, maxRetryAfterMs: 1000 },
    deadlineAt: Date.now() + deadlineMs
  })

  const counting = () => {
    const counter = { attempts: 0 }
    const fail = <E>(error: E) =>
      Effect.suspend(() => {
        counter.attempts++
        return Effect.fail(error)
      })
    return { counter, fail }
  }

  it.effect("stops at the first success", () =>
    Effect.gen(function* () {
      let attempts = 0
      const result = yield* withRetries(
        (n) =>
          Effect.suspend(() =>
            ++attempts < 3 ? Effect.fail(new ConnectionError({ attempts: n + 1 })) : Effect.succeed(n)
          ),
        policy(5)
      )
      assert.strictEqual(result, 2)
      assert.strictEqual(attempts, 3)
    })
  )

  it.effect("gives the last failure after maxRetries", () =>
    Effect.gen(function* () {
      const { counter, fail } = counting()
      const error = yield* Effect.flip(
        withRetries((n) => fail(new ServerError({ status: 500, attempts: n + 1 })), policy(2))
      )
      assert.strictEqual(counter.attempts, 3)
      assert.strictEqual(error.attempts, 3)
    })
  )

  it.effect("does not retry what cannot succeed", () =>
    Effect.gen(function* () {
      const { counter, fail } = counting()
      yield* Effect.flip(withRetries(() => fail(new InvalidRequestError()), policy(5)))
      assert.strictEqual(counter.attempts, 1)
    })
  )

  it.effect("begins no wait that would end past the deadline", () =>
    Effect.gen(function* () {
      const { counter, fail } = counting()
      yield* Effect.flip(withRetries(() => fail(new RateLimitError({ retryAfterMs: 500 })), policy(5, 100)))
      assert.strictEqual(counter.attempts, 1)
    })
  )
})
