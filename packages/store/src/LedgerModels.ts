/**
 * What the ledger reads and answers, its layers' options and its one error:
 * the models shared by the `Ledger` service and its implementation, in a
 * module that imports neither.
 *
 * @since 0.2.0
 */
import { type BillingCycle, type Customer, EventProblem, type Package } from "@account-overview/core"
import { type Option, Schema } from "effect"
import type { SqliteSynchronous } from "./SqliteClient.js"

/**
 * The reseller's stored key hash and, when the customer is registered under
 * that reseller, the customer with its package, in one read. The read is the
 * same whether the customer exists under another reseller or nowhere.
 *
 * @since 0.1.0
 * @category models
 */
export interface OverviewSource {
  readonly keyHash: string
  readonly customer: Option.Option<{
    readonly customer: Customer
    readonly package: Package
  }>
}

/**
 * Usage summed over a range of days.
 *
 * @since 0.1.0
 * @category models
 */
export interface UsageTotals {
  readonly requests: number
  readonly credits: number
}

/**
 * Everything an overview call reads, in one go: the `OverviewSource` and,
 * with the customer, the billing cycle that holds the day of the call and
 * the customer's usage summed over it.
 *
 * @since 0.1.0
 * @category models
 */
export interface OverviewReading {
  readonly keyHash: string
  readonly customer: Option.Option<{
    readonly customer: Customer
    readonly package: Package
    readonly cycle: BillingCycle
    readonly usage: UsageTotals
  }>
}

/**
 * What the reader of a usage batch found before the store: the batch index
 * of each event it hands over, and the problems of the events that did not
 * decode with core's `UsageEvent`. `Ledger.ingest` merges them with its own.
 *
 * @since 0.2.0
 * @category models
 */
export interface IngestOptions {
  /** The index in the batch of each event handed over; defaults to its position. */
  readonly indexes?: ReadonlyArray<number> | undefined
  /** Problems of events that are not handed over, by index in the batch. */
  readonly problems?: ReadonlyArray<EventProblem> | undefined
}

/**
 * A write refers to something that is not there (a customer's reseller or
 * package), or a batch has bad events; nothing was written. `problems` lists
 * every one, ordered by index.
 *
 * @since 0.1.0
 * @category errors
 */
export class LedgerRejected extends Schema.TaggedError<LedgerRejected>("@account-overview/store/LedgerRejected")(
  "LedgerRejected",
  { problems: Schema.Array(EventProblem) }
) {
  override get message(): string {
    return this.problems.map((p) => (p.field === "" ? p.message : `${p.field}: ${p.message}`)).join("; ")
  }
}

/**
 * Options of every store layer.
 *
 * @since 0.1.0
 * @category models
 */
export interface LedgerLayerOptions {
  /** Run the pending migrations when the layer is built. Defaults to `true`. */
  readonly migrate?: boolean | undefined
}

/**
 * Options of the SQLite layer.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqliteLedgerOptions extends LedgerLayerOptions {
  /** Defaults to `FULL`: an ingestion that answered is on disk even after a power loss. */
  readonly synchronous?: SqliteSynchronous | undefined
}

/**
 * Options of the PostgreSQL layer.
 *
 * @since 0.1.0
 * @category models
 */
export interface PgLedgerOptions extends LedgerLayerOptions {
  /** A schema of its own, created if absent and used through `search_path`. */
  readonly schema?: string | undefined
  /** Size of the connection pool. Defaults to 10. */
  readonly maxConnections?: number | undefined
}
