/**
 * The store under the service: the ledger, reseller key checks with their
 * cache, and the ledger's `AccountOverviews`. The ledger comes from
 * `@account-overview/store`: `Ledger.layerConfig` (chosen by `DATABASE_URL`)
 * when the service runs, a layer of the test's own in tests.
 *
 * @since 0.1.0
 */
import type { AccountOverviews } from "@account-overview/core"
import { type Ledger, LedgerOverviews, ResellerKeys } from "@account-overview/store"
import { Layer } from "effect"

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
