import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import * as Verifications from "../../src/internal/verifications.js"

describe("Verifications", () => {
  it.effect("runs one verification per key for every concurrent caller", () =>
    Effect.gen(function* () {
      const verifications = Verifications.make(4)
      const gate = yield* Deferred.make<void>()
      let runs = 0
      const slow = Effect.andThen(
        Effect.sync(() => {
          runs += 1
        }),
        Effect.as(Deferred.await(gate), true)
      )
      const callers = yield* Effect.forkChild(
        Effect.all(
          Array.from({ length: 50 }, () => verifications.run("hash\u0000print", slow)),
          { concurrency: "unbounded" }
        )
      )
      yield* Effect.yieldNow
      assert.strictEqual(verifications.inFlight(), 1)
      yield* Deferred.succeed(gate, undefined)
      const answers = yield* Fiber.join(callers)
      assert.strictEqual(runs, 1)
      assert.isTrue(answers.every((ok) => ok))
      assert.strictEqual(verifications.inFlight(), 0)
      // Once done, the next call runs again (nothing is remembered here).
      yield* verifications.run("hash\u0000print", slow)
      assert.strictEqual(runs, 2)
    })
  )

  it.effect("runs at most `permits` verifications at once", () =>
    Effect.gen(function* () {
      const verifications = Verifications.make(2)
      const gate = yield* Deferred.make<void>()
      let running = 0
      let most = 0
      const slow = Effect.acquireUseRelease(
        Effect.sync(() => {
          running += 1
          most = Math.max(most, running)
        }),
        () => Deferred.await(gate),
        () =>
          Effect.sync(() => {
            running -= 1
          })
      )
      const callers = yield* Effect.forkChild(
        Effect.all(
          Array.from({ length: 10 }, (_, i) => verifications.run(`key${i}`, slow)),
          { concurrency: "unbounded" }
        )
      )
      for (let i = 0; i < 5; i++) yield* Effect.yieldNow
      assert.strictEqual(running, 2)
      assert.strictEqual(verifications.inFlight(), 10)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(callers)
      assert.strictEqual(most, 2)
    })
  )

  it.effect("a caller that goes away does not cancel the verification for the others", () =>
    Effect.gen(function* () {
      const verifications = Verifications.make(1)
      const gate = yield* Deferred.make<void>()
      const slow = Effect.as(Deferred.await(gate), "done")
      const first = yield* Effect.forkChild(verifications.run("k", slow))
      yield* Effect.yieldNow
      const second = yield* Effect.forkChild(verifications.run("k", slow))
      yield* Effect.yieldNow
      yield* Fiber.interrupt(first)
      yield* Deferred.succeed(gate, undefined)
      assert.strictEqual(yield* Fiber.join(second), "done")
    })
  )
})
