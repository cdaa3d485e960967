import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Lifecycle } from "../src/Lifecycle.js"

describe("Lifecycle", () => {
  it.effect("starts serving and drains once told to, for good", () =>
    Effect.gen(function* () {
      const lifecycle = yield* Lifecycle
      assert.isFalse(lifecycle.isDraining())
      lifecycle.beginDrain()
      lifecycle.beginDrain()
      assert.isTrue(lifecycle.isDraining())
    }).pipe(Effect.provide(Lifecycle.layer))
  )
})
