import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type CalendarDate, decodeResponse, rateLimitedMessage } from "@account-overview/core"
import { Ledger, LedgerOverviews, ResellerKeys } from "@account-overview/store"
import { assert, layer } from "@effect/vitest"
import { Effect, Layer, Option, Redacted, Result } from "effect"
import { Metrics } from "../../src/Metrics.js"
import { type ServerSettings, Settings } from "../../src/Settings.js"
import { Throttles } from "../../src/Throttle.js"
import { type WireCall, WireHandler } from "../../src/wire/Handler.js"

// The handler over the ledger's AccountOverviews on a SQLite file, seeded.
const handlerLayer = (settings: Partial<ServerSettings>) => {
  const store = Layer.unwrap(
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "ao-handler-test-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
      return LedgerOverviews.layer.pipe(
        Layer.provideMerge(ResellerKeys.layer),
        Layer.provideMerge(Ledger.layerSqlite(join(dir, "ledger.db")))
      )
    })
  )
  const seeded = Layer.effectDiscard(
    Effect.gen(function* () {
      const ledger = yield* Ledger
      yield* ledger.upsertPackage({ name: "Silver", credits: 100 })
      yield* ledger.upsertReseller("acme", Redacted.make("acme-key"))
      yield* ledger.upsertReseller("other", Redacted.make("other-key"))
      for (const [user, reseller] of [
        ["mine@acme.example", "acme"],
        ["theirs@other.example", "other"]
      ] as const) {
        yield* ledger.upsertCustomer({
          user,
          reseller,
          package: "Silver",
          billingAnchor: "2024-01-15" as CalendarDate,
          reputation: 90
        })
      }
    })
  )
  return WireHandler.layer.pipe(
    Layer.provideMerge(Throttles.layer.pipe(Layer.provideMerge(Metrics.layer))),
    Layer.provideMerge(seeded),
    Layer.provideMerge(store),
    Layer.provide(Settings.layerTest(settings)),
    Layer.orDie
  )
}

const call = (query: Record<string, string>, options: Partial<WireCall> = {}): WireCall => ({
  format: "json",
  dialect: "v1",
  query: new URLSearchParams(query).toString(),
  bearer: undefined,
  address: "192.0.2.1",
  requestId: "r",
  ...options
})
const keyOnly = (key: string, user: string) => ({ api_user: "apikey", api_key: key, task: "overview", user })
const named = (apiUser: string, key: string, user: string) => ({
  api_user: apiUser,
  api_key: key,
  task: "overview",
  user
})

const errorsOf = (body: Uint8Array): ReadonlyArray<string> => {
  const decoded = decodeResponse(body, "application/json")
  if (Result.isFailure(decoded) || decoded.success._tag !== "ErrorBody") return assert.fail("not an error body")
  return decoded.success.body.errors
}

layer(handlerLayer({ authFailureLimit: 3 }), { timeout: 60_000 })(
  "WireHandler: failed-authentication throttle",
  (it) => {
    // Decision 0085: a key-only call's reseller comes from the customer asked
    // for, so it never decides a refusal (that told whether the customer
    // exists, and let anyone lock the reseller out); the address pays.
    it.effect(
      "counts a key-only call's failures against the client's address, never blocking the reseller",
      () =>
        Effect.gen(function* () {
          const handler = yield* WireHandler
          for (let i = 0; i < 3; i++) {
            const answer = yield* handler.answer(
              call(keyOnly("guess", "mine@acme.example"), { address: `10.0.0.${i}` })
            )
            assert.strictEqual(answer.status, 401)
          }
          const correct = yield* handler.answer(
            call(named("acme", "acme-key", "mine@acme.example"), { address: "10.0.1.1" })
          )
          assert.strictEqual(correct.status, 200)
          const bearer = yield* handler.answer(
            call({ task: "overview", user: "mine@acme.example" }, { bearer: "acme-key", address: "10.0.1.2" })
          )
          assert.strictEqual(bearer.status, 200)
          for (let i = 0; i < 2; i++) {
            yield* handler.answer(call(keyOnly("guess", "mine@acme.example"), { address: "10.0.0.0" }))
          }
          const blocked = yield* handler.answer(call(keyOnly("acme-key", "mine@acme.example"), { address: "10.0.0.0" }))
          assert.strictEqual(blocked.status, 429)
          assert.isDefined(blocked.retryAfter)
          assert.deepStrictEqual(errorsOf(blocked.body), [rateLimitedMessage(blocked.retryAfter!)])
          const other = yield* handler.answer(
            call(keyOnly("other-key", "theirs@other.example"), { address: "10.0.1.3" })
          )
          assert.strictEqual(other.status, 200)
        }),
      60_000
    )

    it.effect("counts a key-only call for no customer against the client's address only", () =>
      Effect.gen(function* () {
        const handler = yield* WireHandler
        for (let i = 0; i < 3; i++) {
          const answer = yield* handler.answer(call(keyOnly("other-key", `nobody-${i}`), { address: "198.51.100.9" }))
          assert.strictEqual(answer.status, 401)
        }
        const elsewhere = yield* handler.answer(
          call(named("other", "other-key", "theirs@other.example"), { address: "198.51.100.10" })
        )
        assert.strictEqual(elsewhere.status, 200)
        const there = yield* handler.answer(
          call(named("other", "other-key", "theirs@other.example"), { address: "198.51.100.9" })
        )
        assert.strictEqual(there.status, 429)
      })
    )
  }
)

layer(handlerLayer({ rateLimitPerMinute: Option.some(2) }), { timeout: 60_000 })(
  "WireHandler: rate per reseller",
  (it) => {
    it.effect("takes a key-only call's token from the customer's reseller", () =>
      Effect.gen(function* () {
        const handler = yield* WireHandler
        assert.strictEqual((yield* handler.answer(call(keyOnly("acme-key", "mine@acme.example")))).status, 200)
        assert.strictEqual((yield* handler.answer(call(named("acme", "acme-key", "mine@acme.example")))).status, 200)
        const limited = yield* handler.answer(call(keyOnly("acme-key", "mine@acme.example")))
        assert.strictEqual(limited.status, 429)
        assert.deepStrictEqual(errorsOf(limited.body), [rateLimitedMessage(limited.retryAfter!)])
        assert.strictEqual((yield* handler.answer(call(keyOnly("other-key", "theirs@other.example")))).status, 200)
      })
    )
  }
)

layer(handlerLayer({}), { timeout: 60_000 })("WireHandler: parameters", (it) => {
  it.effect("reads the query, then the body's pairs, then the bearer token, as one list", () =>
    Effect.gen(function* () {
      const handler = yield* WireHandler
      const split = yield* handler.answer(
        call({ task: "overview" }, { body: [["user", "mine@acme.example"]], bearer: "acme-key" })
      )
      assert.strictEqual(split.status, 200)
      const repeated = yield* handler.answer(
        call(named("acme", "acme-key", "mine@acme.example"), { body: "user=mine%40acme.example" })
      )
      assert.strictEqual(repeated.status, 400)
      assert.deepStrictEqual(errorsOf(repeated.body), ["parameter user is repeated"])
      const both = yield* handler.answer(call(named("acme", "acme-key", "mine@acme.example"), { bearer: "acme-key" }))
      assert.deepStrictEqual(errorsOf(both.body), ["parameter api_key is repeated"])
    })
  )
})
