/**
 * The ledger as a service: every read and write the microservice and the
 * operator API make, over one SQL store (SQLite or PostgreSQL).
 *
 * @since 0.1.0
 */
import type {
  BillingCycle,
  CalendarDate,
  Customer,
  EventProblem,
  IngestResult,
  Package,
  Reseller,
  Unavailable,
  UsageEvent
} from "@account-overview/core"
import { type Config, Context, Effect, Layer, type Option, type Redacted, Schema } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import * as SqlLedger from "./internal/sqlLedger.js"
import { migrate } from "./Migrations.js"
import type { Synchronous } from "./SqliteClient.js"
import * as Connect from "./StoreConfig.js"

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
 * A write refers to something that is not there (a customer's reseller or
 * package), or a batch has bad events; nothing was written.
 *
 * @since 0.1.0
 * @category errors
 */
export class LedgerRejected extends Schema.TaggedError<LedgerRejected>("@account-overview/store/LedgerRejected")(
  "LedgerRejected",
  {
    problems: Schema.Array(Schema.Struct({ index: Schema.Int, field: Schema.String, message: Schema.String }))
  }
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
  readonly synchronous?: Synchronous | undefined
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

const onSql = (options: LedgerLayerOptions | undefined): Layer.Layer<Ledger, Unavailable, SqlClient> =>
  Layer.effect(Ledger, options?.migrate === false ? SqlLedger.make : Effect.andThen(migrate, SqlLedger.make))

/**
 * The ledger service. Every failure of the database itself is an
 * `Unavailable` (reason `store`); SQL errors never leave the store.
 *
 * @since 0.1.0
 * @category services
 */
export class Ledger extends Context.Service<
  Ledger,
  {
    /**
     * The reseller's key hash and the customer with its package, in one read
     * (see `OverviewSource`). Without `apiUser` (a key-only call) the reseller
     * is the customer's own: none when there is no such customer.
     */
    readonly overviewSource: (
      apiUser: string | undefined,
      user: string
    ) => Effect.Effect<Option.Option<OverviewSource>, Unavailable>
    /**
     * `overviewSource` and, when the customer is found, its usage over the
     * billing cycle that holds `date`, read together: on SQLite in one read
     * transaction, so from one snapshot. The usage is read before the caller
     * checks the key, so it must not be shown before that check.
     */
    readonly overviewReading: (
      apiUser: string | undefined,
      user: string,
      date: CalendarDate
    ) => Effect.Effect<Option.Option<OverviewReading>, Unavailable>
    /** Usage of a customer summed over the days `from`..`to`, both included. */
    readonly usageBetween: (
      user: string,
      from: CalendarDate,
      to: CalendarDate
    ) => Effect.Effect<UsageTotals, Unavailable>

    readonly upsertPackage: (pkg: Package) => Effect.Effect<Package, Unavailable>
    readonly listPackages: () => Effect.Effect<ReadonlyArray<Package>, Unavailable>

    /** Creates or updates a reseller; the key is stored only as a hash. */
    readonly upsertReseller: (
      apiUser: string,
      apiKey: Redacted.Redacted<string>
    ) => Effect.Effect<{ readonly created: boolean }, Unavailable>
    readonly getReseller: (apiUser: string) => Effect.Effect<Option.Option<Reseller>, Unavailable>

    /** Fails with `LedgerRejected` when the reseller or the package does not exist. */
    readonly upsertCustomer: (customer: Customer) => Effect.Effect<Customer, LedgerRejected | Unavailable>
    readonly getCustomer: (user: string) => Effect.Effect<Option.Option<Customer>, Unavailable>
    /** Customers ordered by `user`, after `cursor` (exclusive), at most `limit`. */
    readonly listCustomers: (options: {
      readonly reseller?: string | undefined
      readonly limit: number
      readonly cursor?: string | undefined
    }) => Effect.Effect<{ readonly items: ReadonlyArray<Customer>; readonly nextCursor?: string }, Unavailable>

    /**
     * Stores a batch of valid events in one transaction: new ids are counted,
     * ids already stored with the same content are duplicates, ids stored
     * with other content (or repeated inside the batch with other content)
     * are conflicts. Fails with `LedgerRejected` listing every event whose
     * customer does not exist, and then stores nothing. Safe to run
     * concurrently from several instances.
     */
    readonly ingest: (events: ReadonlyArray<UsageEvent>) => Effect.Effect<IngestResult, LedgerRejected | Unavailable>

    /** Fails with `Unavailable` when the database does not answer. */
    readonly ping: () => Effect.Effect<void, Unavailable>
  }
>()("@account-overview/store/Ledger") {
  /**
   * The ledger on whatever `SqlClient` is provided (SQLite or PostgreSQL
   * dialect), without running migrations.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerSql: Layer.Layer<Ledger, never, SqlClient> = Layer.effect(
    Ledger,
    Effect.suspend(() => SqlLedger.make)
  )

  /**
   * The ledger in a SQLite file (created with its folder if absent), through
   * `node:sqlite`; migrated at start unless told otherwise.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerSqlite = (filename: string, options?: SqliteLedgerOptions): Layer.Layer<Ledger, Unavailable> =>
    onSql(options).pipe(Layer.provide(Connect.sqliteLayer(filename, options)))

  /**
   * The ledger in PostgreSQL, through a pool of `@effect/sql-pg`; migrated
   * at start unless told otherwise. The URL may hold a password: it is kept
   * redacted.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerPg = (
    url: string | Redacted.Redacted<string>,
    options?: PgLedgerOptions
  ): Layer.Layer<Ledger, Unavailable> => onSql(options).pipe(Layer.provide(Connect.pgLayer(url, options)))

  /**
   * The ledger chosen by `DATABASE_URL`: `sqlite:<path>` (the default is
   * `sqlite:./data/account-overview.db`), `postgres://…` or
   * `postgresql://…`. Migrated at start.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerConfig: Layer.Layer<Ledger, Unavailable | Config.ConfigError> = Layer.unwrap(
    Effect.map(Connect.databaseUrl, (target) => onSql(undefined).pipe(Layer.provide(Connect.urlLayer(target))))
  )
}

/**
 * @since 0.1.0
 * @category models
 */
export type { EventProblem }
