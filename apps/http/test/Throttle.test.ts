import { RateLimited } from "@account-overview/core"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Layer, Logger, Option } from "effect"
import * as RateLimiter from "effect/persistence/RateLimiter"
import { TestClock } from "effect/testing"
import { Metrics } from "../src/Metrics.js"
import { type ServerSettings, Settings } from "../src/Settings.js"
import { makeMemoryStore, resellerFailureFactor, Throttles } from "../src/Throttle.js"

const throttles = (settings: Partial<ServerSettings>, shared: Option.Option<RateLimiter.RateLimiter> = Option.none()) =>
  Layer.effect(Throttles, Throttles.make(shared)).pipe(
    Layer.provideMerge(Metrics.layer),
    Layer.provide(Settings.layerTest(settings))
  )

const refusal = <A>(effect: Effect.Effect<A, RateLimited>) =>
  Effect.map(Effect.result(effect), (result) =>
    result._tag === "Failure" && result.failure instanceof RateLimited ? result.failure.retryAfterSeconds : undefined
  )

describe("Throttles: failure budget per address", () => {
  it.effect("blocks a key once it reaches the limit, until its window ends", () =>
    Effect.gen(function* () {
      const t = yield* Throttles
      const t0 = 1_000_000
      yield* TestClock.setTime(t0)
      yield* t.recordFailure("a", undefined)
      yield* TestClock.setTime(t0 + 1)
      yield* t.recordFailure("a", undefined)
      yield* TestClock.setTime(t0 + 10)
      assert.isUndefined(yield* refusal(t.admit("a", undefined)))
      yield* TestClock.setTime(t0 + 20)
      yield* t.recordFailure("a", undefined)
      assert.strictEqual(yield* refusal(t.admit("a", undefined)), 60)
      yield* TestClock.setTime(t0 + 30_500)
      assert.strictEqual(yield* refusal(t.admit("a", undefined)), 30)
      assert.isUndefined(yield* refusal(t.admit("b", undefined)))
      yield* TestClock.setTime(t0 + 60_000)
      assert.isUndefined(yield* refusal(t.admit("a", undefined)))
    }).pipe(Effect.provide(throttles({ authFailureLimit: 3 })))
  )

  it.effect("refuses a named reseller past its budget across addresses, only from an address that failed", () =>
    Effect.gen(function* () {
      const t = yield* Throttles
      const budget = 3 * resellerFailureFactor
      for (let i = 0; i < budget - 1; i++) yield* t.recordFailure(`10.0.0.${i}`, "acme")
      assert.isUndefined(yield* refusal(t.admit("10.0.0.0", "acme")))
      yield* t.recordFailure("10.0.1.0", "acme")
      assert.strictEqual(yield* refusal(t.admit("10.0.0.0", "acme")), 60)
      // Forty seconds on, the address's own count has drained, its mark has not.
      yield* TestClock.adjust("40 seconds")
      assert.isDefined(yield* refusal(t.admit("10.0.0.1", "acme")))
      assert.isUndefined(yield* refusal(t.admit("192.0.2.1", "acme")))
      assert.isUndefined(yield* refusal(t.admit("10.0.0.0", "other")))
      assert.isUndefined(yield* refusal(t.admit("10.0.0.0", undefined)))
    }).pipe(Effect.provide(throttles({ authFailureLimit: 3 })))
  )

  it.effect("keeps at most its cap of keys, dropping the oldest", () =>
    Effect.gen(function* () {
      const memory = makeMemoryStore(100)
      const limiter = yield* RateLimiter.make.pipe(Effect.provideService(RateLimiter.RateLimiterStore, memory.store))
      const look = (key: string) => limiter.consume({ key, limit: 1, window: "1 minute", tokens: 0 })
      for (let i = 0; i < 1_000; i++) yield* limiter.consume({ key: `a:${i}`, limit: 1, window: "1 minute" })
      assert.strictEqual(memory.size(), 100)
      assert.strictEqual((yield* look("a:0")).remaining, 1)
      const last = yield* look("a:999")
      assert.strictEqual(last.remaining, 0)
      assert.strictEqual(Math.ceil(Duration.toMillis(last.resetAfter) / 1000), 60)
    })
  )
})

describe("Throttles: rate per reseller", () => {
  it.effect("lets perMinute calls through, then answers the wait for the next token", () =>
    Effect.gen(function* () {
      const t = yield* Throttles
      const t0 = 5_000
      yield* TestClock.setTime(t0)
      for (let i = 0; i < 6; i++) assert.isUndefined(yield* refusal(t.takeRate("r")))
      assert.strictEqual(yield* refusal(t.takeRate("r")), 10)
      yield* TestClock.setTime(t0 + 5_000)
      assert.strictEqual(yield* refusal(t.takeRate("r")), 5)
      yield* TestClock.setTime(t0 + 10_000)
      assert.isUndefined(yield* refusal(t.takeRate("r")))
      assert.isUndefined(yield* refusal(t.takeRate("other")))
    }).pipe(Effect.provide(throttles({ rateLimitPerMinute: Option.some(6) })))
  )

  it.effect("keeps at most its cap of buckets", () =>
    Effect.gen(function* () {
      const memory = makeMemoryStore(50)
      const limiter = yield* RateLimiter.make.pipe(Effect.provideService(RateLimiter.RateLimiterStore, memory.store))
      for (let i = 0; i < 500; i++) {
        yield* limiter.consume({ key: `r${i}`, limit: 1, window: "1 minute", algorithm: "token-bucket" })
      }
      assert.strictEqual(memory.size(), 50)
    })
  )
})

// A shared store that does not answer: every operation fails.
const downStore = RateLimiter.make.pipe(
  Effect.provideService(
    RateLimiter.RateLimiterStore,
    RateLimiter.RateLimiterStore.of({
      fixedWindow: () =>
        Effect.fail(
          new RateLimiter.RateLimiterError({ reason: new RateLimiter.RateLimitStoreError({ message: "down" }) })
        ),
      tokenBucket: () =>
        Effect.fail(
          new RateLimiter.RateLimiterError({ reason: new RateLimiter.RateLimitStoreError({ message: "down" }) })
        ),
      adaptiveConsume: () => Effect.die("unused"),
      adaptiveFeedback: () => Effect.die("unused")
    })
  )
)

describe("Throttles: a shared store that does not answer", () => {
  it.effect("counts on the instance instead, with a metric and one log line", () => {
    const logs: Array<string> = []
    return Effect.gen(function* () {
      const limiter = yield* downStore
      yield* Effect.gen(function* () {
        const t = yield* Throttles
        const metrics = yield* Metrics
        for (let i = 0; i < 3; i++) yield* t.recordFailure("192.0.2.1", undefined)
        assert.strictEqual(yield* refusal(t.admit("192.0.2.1", undefined)), 60)
        assert.isUndefined(yield* refusal(t.admit("192.0.2.2", undefined)))
        assert.match(metrics.render(), /^throttle_store_errors_total 8$/m)
      }).pipe(Effect.provide(throttles({ authFailureLimit: 3 }, Option.some(limiter))))
      assert.strictEqual(logs.filter((line) => line.includes("Redis does not answer")).length, 1)
    }).pipe(Effect.provide(Logger.layer([Logger.make((options) => logs.push(String(options.message)))])))
  })
})
