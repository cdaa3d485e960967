import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  AccountOverviews,
  AuthenticationFailed,
  apiKeyUser,
  type CalendarDate,
  RateLimited,
  Unavailable
} from "@account-overview/core"
import { assert, layer } from "@effect/vitest"
import { Effect, Exit, Layer, Redacted } from "effect"
import { Ledger } from "../src/Ledger.js"
import { LedgerOverviews } from "../src/LedgerOverviews.js"
import { ResellerKeys } from "../src/ResellerKeys.js"

// A migrated SQLite ledger in a temporary folder, removed with the layer.
const ledgerLayer = Layer.unwrap(
  Effect.gen(function* () {
    const dir = mkdtempSync(join(tmpdir(), "ao-overviews-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
    return Ledger.layerSqlite(join(dir, "ledger.db"))
  })
)

const overviewsLayer = LedgerOverviews.layer.pipe(
  Layer.provideMerge(ResellerKeys.layer),
  Layer.provideMerge(ledgerLayer),
  Layer.orDie
)

const seed = Effect.gen(function* () {
  const ledger = yield* Ledger
  yield* ledger.upsertPackage({ name: "Silver", credits: 100 })
  yield* ledger.upsertReseller("acme", Redacted.make("acme-key"))
  yield* ledger.upsertReseller("other", Redacted.make("other-key"))
  const customer = (user: string, reseller: string) =>
    ledger.upsertCustomer({
      user,
      reseller,
      package: "Silver",
      billingAnchor: "2024-01-15" as CalendarDate,
      reputation: 90
    })
  yield* customer("mine@acme.example", "acme")
  yield* customer("theirs@other.example", "other")
})

const keyOnly = (key: string) => ({ apiUser: apiKeyUser, apiKey: Redacted.make(key) })
const named = (apiUser: string, key: string) => ({ apiUser, apiKey: Redacted.make(key) })

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  return reason?._tag === "Fail" ? reason.error : undefined
}

layer(overviewsLayer, { timeout: 60_000 })("LedgerOverviews: AccountOverviews from the ledger", (it) => {
  it.effect(
    "a key-only call speaks for the customer's own reseller, and reads like an unknown reseller otherwise",
    () =>
      Effect.gen(function* () {
        yield* seed
        const overviews = yield* AccountOverviews
        const own = yield* overviews.overview(keyOnly("acme-key"), "mine@acme.example")
        assert.deepStrictEqual(own, yield* overviews.overview(named("acme", "acme-key"), "mine@acme.example"))
        const foreign = yield* Effect.exit(overviews.overview(keyOnly("acme-key"), "theirs@other.example"))
        const absent = yield* Effect.exit(overviews.overview(keyOnly("acme-key"), "nobody@nowhere.example"))
        assert.instanceOf(failureOf(foreign), AuthenticationFailed)
        assert.deepStrictEqual(failureOf(absent), failureOf(foreign))
        assert.isTrue(
          Exit.isSuccess(yield* Effect.exit(overviews.overview(keyOnly("other-key"), "theirs@other.example")))
        )
      })
  )

  it.effect("admits the reseller the call speaks for, once, before the key is checked", () =>
    Effect.gen(function* () {
      const overviews = yield* AccountOverviews
      const admitted: Array<string | undefined> = []
      const admit = (apiUser: string | undefined) => Effect.sync(() => void admitted.push(apiUser))
      yield* overviews.overview(keyOnly("acme-key"), "mine@acme.example", { admit })
      yield* Effect.exit(overviews.overview(keyOnly("wrong"), "theirs@other.example", { admit }))
      yield* Effect.exit(overviews.overview(keyOnly("acme-key"), "nobody@nowhere.example", { admit }))
      yield* Effect.exit(overviews.overview(named("ghost", "wrong"), "mine@acme.example", { admit }))
      yield* overviews.overview(named("acme", "acme-key"), "mine@acme.example", { admit })
      assert.deepStrictEqual(admitted, ["acme", "other", undefined, "ghost", "acme"])

      const refused = new RateLimited({ retryAfterSeconds: 9 })
      const refuse = () => Effect.fail(refused)
      for (const credentials of [keyOnly("wrong"), named("acme", "wrong")]) {
        const exit = yield* Effect.exit(overviews.overview(credentials, "mine@acme.example", { admit: refuse }))
        assert.strictEqual(failureOf(exit), refused)
      }
    })
  )
})

const downLayer = LedgerOverviews.layer.pipe(
  Layer.provideMerge(ResellerKeys.layer),
  Layer.provideMerge(
    Layer.succeed(
      Ledger,
      Ledger.of(
        new Proxy({} as Ledger["Service"], {
          get: () => () => Effect.fail(new Unavailable({ reason: "store" }))
        })
      )
    )
  )
)

layer(downLayer)("LedgerOverviews: a store that is down", (it) => {
  it.effect("is Unavailable; a key-only call admits nobody before the store answers, a named one first", () =>
    Effect.gen(function* () {
      const overviews = yield* AccountOverviews
      const admitted: Array<string | undefined> = []
      const admit = (apiUser: string | undefined) => Effect.sync(() => void admitted.push(apiUser))
      const keyOnlyExit = yield* Effect.exit(overviews.overview(keyOnly("k"), "mine@acme.example", { admit }))
      assert.instanceOf(failureOf(keyOnlyExit), Unavailable)
      assert.deepStrictEqual(admitted, [])
      const namedExit = yield* Effect.exit(overviews.overview(named("acme", "k"), "mine@acme.example", { admit }))
      assert.instanceOf(failureOf(namedExit), Unavailable)
      assert.deepStrictEqual(admitted, ["acme"])
    })
  )
})
