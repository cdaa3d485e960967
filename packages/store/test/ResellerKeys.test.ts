import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { defaultScryptParams, generateKey, ResellerKeys } from "../src/ResellerKeys.js"

const key = (s: string) => Redacted.make(s)

describe("ResellerKeys (internal/scrypt.ts)", () => {
  it.effect("hashes into a self-describing salted string that never contains the key", () =>
    Effect.gen(function* () {
      const keys = yield* ResellerKeys
      const a = yield* keys.hash(key("operator-key"))
      const b = yield* keys.hash(key("operator-key"))
      const { N, p, r } = defaultScryptParams
      assert.match(a, new RegExp(`^scrypt\\$${N}\\$${r}\\$${p}\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}$`))
      assert.notStrictEqual(a, b)
      assert.notInclude(a, "operator-key")
      assert.isTrue(yield* keys.verify(a, key("operator-key")))
      assert.isTrue(yield* keys.verify(b, key("operator-key")))
      assert.isTrue(yield* keys.verify(a, key("operator-key")))
      assert.isFalse(yield* keys.verify(a, key("operator-kez")))
      assert.isFalse(yield* keys.verify(a, key("")))
    }).pipe(Effect.provide(ResellerKeys.layer))
  )

  it.effect("a cached key stops verifying once the stored hash changes (rotation)", () =>
    Effect.gen(function* () {
      const keys = yield* ResellerKeys
      const old = yield* keys.hash(key("k1"))
      assert.isTrue(yield* keys.verify(old, key("k1")))
      const rotated = yield* keys.hash(key("k2"))
      assert.isFalse(yield* keys.verify(rotated, key("k1")))
      assert.isTrue(yield* keys.verify(rotated, key("k2")))
    }).pipe(Effect.provide(ResellerKeys.layer))
  )

  it.effect("answers the same with a cache of one entry and with no cache", () =>
    Effect.gen(function* () {
      const hashes = yield* Effect.gen(function* () {
        const keys = yield* ResellerKeys
        return [yield* keys.hash(key("a")), yield* keys.hash(key("b"))] as const
      }).pipe(Effect.provide(ResellerKeys.layer))
      for (const cacheSize of [0, 1]) {
        const answers = yield* Effect.gen(function* () {
          const keys = yield* ResellerKeys
          const out: Array<boolean> = []
          for (const [h, k] of [
            [hashes[0], "a"],
            [hashes[1], "b"],
            [hashes[0], "a"],
            [hashes[0], "b"],
            [hashes[1], "b"],
            [hashes[1], "a"]
          ] as const) {
            out.push(yield* keys.verify(h, key(k)))
          }
          return out
        }).pipe(Effect.provide(Layer.effect(ResellerKeys, ResellerKeys.make({ cacheSize }))))
        assert.deepStrictEqual(answers, [true, true, true, false, true, false])
      }
    })
  )

  it.effect("a malformed or out-of-bounds stored hash verifies nothing", () =>
    Effect.gen(function* () {
      const keys = yield* ResellerKeys
      const good = yield* keys.hash(key("k"))
      const [, , r, p, salt, hash] = good.split("$")
      for (const bad of [
        "",
        "k",
        "bcrypt$2b$10$abc",
        good.replace(/^scrypt/, "scrypp"),
        `scrypt$1073741824$${r}$${p}$${salt}$${hash}`,
        `scrypt$16383$${r}$${p}$${salt}$${hash}`,
        `scrypt$16384$${r}$${p}$${salt}$`,
        `scrypt$16384$${r}$${p}$${salt}$${hash}$extra`
      ]) {
        assert.isFalse(yield* keys.verify(bad, key("k")), bad)
      }
    }).pipe(Effect.provide(ResellerKeys.layer))
  )

  it.effect("verifyAbsent spends a verification and answers false", () =>
    Effect.gen(function* () {
      const keys = yield* ResellerKeys
      assert.isFalse(yield* keys.verifyAbsent(key("anything")))
    }).pipe(Effect.provide(ResellerKeys.layer))
  )

  it.effect("generates distinct high-entropy keys that stay redacted when printed", () =>
    Effect.gen(function* () {
      const keys = yield* ResellerKeys
      const a = yield* keys.generate()
      const b = generateKey()
      assert.match(Redacted.value(a), /^ao_[A-Za-z0-9_-]{43}$/)
      assert.notStrictEqual(Redacted.value(a), Redacted.value(b))
      assert.notInclude(String(a), Redacted.value(a))
      assert.notInclude(JSON.stringify({ a }), Redacted.value(a))
      assert.isTrue(yield* keys.verify(yield* keys.hash(a), a))
    }).pipe(Effect.provide(ResellerKeys.layer))
  )

  it.effect(
    "concurrent cold misses of one pair, right or wrong, answer alike (they share one scrypt)",
    () =>
      Effect.gen(function* () {
        const keys = yield* ResellerKeys
        const stored = yield* keys.hash(key("shared-key"))
        const fresh = yield* ResellerKeys.make({ maxConcurrentVerifications: 2 })
        const right = yield* Effect.all(
          Array.from({ length: 50 }, () => fresh.verify(stored, key("shared-key"))),
          { concurrency: "unbounded" }
        )
        assert.isTrue(right.every((ok) => ok))
        const wrong = yield* Effect.all(
          Array.from({ length: 20 }, (_, i) => fresh.verify(stored, key(i % 2 === 0 ? "guess-a" : "guess-b"))),
          { concurrency: "unbounded" }
        )
        assert.isTrue(wrong.every((ok) => !ok))
        const absent = yield* Effect.all(
          Array.from({ length: 10 }, () => fresh.verifyAbsent(key("nobody-key"))),
          { concurrency: "unbounded" }
        )
        assert.isTrue(absent.every((ok) => ok === false))
      }).pipe(Effect.provide(ResellerKeys.layer)),
    60_000
  )
})
