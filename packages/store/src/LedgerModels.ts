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
 * Names that are one name under core's `nameKey` (the same but for case):
 * the resellers' `api_user`s or the customers' `user`s, spelled as stored.
 *
 * @since 0.2.0
 * @category models
 */
export interface NameCollision {
  readonly table: "resellers" | "customers"
  readonly names: ReadonlyArray<string>
}

/**
 * The migration to names compared without regard to case (0002) found
 * stored names that would become one: it refuses to run and lists them all;
 * nothing is merged. Rename or remove all but one of each, then migrate
 * again.
 *
 * @since 0.2.0
 * @category errors
 */
export class LedgerNamesCollide extends Schema.TaggedError<LedgerNamesCollide>(
  "@account-overview/store/LedgerNamesCollide"
)("LedgerNamesCollide", {
  collisions: Schema.Array(
    Schema.Struct({ table: Schema.Literals(["resellers", "customers"]), names: Schema.Array(Schema.String) })
  )
}) {
  override get message(): string {
    const shown = this.collisions
      .slice(0, 20)
      .map((c) => `${c.table} ${c.names.map((n) => JSON.stringify(n)).join(" = ")}`)
    const more = this.collisions.length > 20 ? `; and ${this.collisions.length - 20} more` : ""
    return `names that are the same without regard to case: ${shown.join("; ")}${more}; rename or remove all but one of each, then migrate again`
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
