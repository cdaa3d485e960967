/**
 * The store under the service, picked from `DATABASE_URL`: the ledger
 * (migrated when it starts), reseller key checks with their cache, and the
 * ledger's `AccountOverviews`.
 *
 * @since 0.1.0
 */
import { type AccountOverviews, Unavailable } from "@account-overview/core"
import { Ledger, LedgerOverviews, parseDatabaseUrl, ResellerKeys } from "@account-overview/store"
import { Effect, Layer, type Redacted } from "effect"
import { Settings } from "./Config.js"

/**
 * Everything the service needs from the store.
 *
 * @since 0.1.0
 * @category models
 */
export type StoreServices = Ledger | LedgerOverviews | ResellerKeys | AccountOverviews

/**
 * The overview and key services over a given ledger layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const overLedger = <E, R>(ledger: Layer.Layer<Ledger, E, R>): Layer.Layer<StoreServices, E, R> =>
  LedgerOverviews.layer.pipe(Layer.provideMerge(ResellerKeys.layer), Layer.provideMerge(ledger))

/**
 * The store at `databaseUrl` (`sqlite:<path>` or `postgres://…`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFor = (databaseUrl: Redacted.Redacted<string>): Layer.Layer<StoreServices, Unavailable> => {
  const target = parseDatabaseUrl(databaseUrl)
  if (target === undefined) {
    return Layer.unwrap(
      Effect.fail(
        new Unavailable({
          reason: "store",
          detail: "DATABASE_URL must be sqlite:<path>, postgres://… or postgresql://… (the value is not shown)"
        })
      )
    )
  }
  return overLedger(target._tag === "sqlite" ? Ledger.layerSqlite(target.filename) : Ledger.layerPg(target.url))
}

/**
 * The store named by the settings' `DATABASE_URL`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromSettings: Layer.Layer<StoreServices, Unavailable, Settings> = Layer.unwrap(
  Effect.gen(function* () {
    return layerFor((yield* Settings).databaseUrl)
  })
)

/**
 * Migrates the store: building the ledger layer runs the pending
 * migrations; this then checks that the database answers.
 *
 * @since 0.1.0
 * @category commands
 */
export const migrate: Effect.Effect<void, Unavailable, Ledger> = Effect.gen(function* () {
  yield* (yield* Ledger).ping()
})
