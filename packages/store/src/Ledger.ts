/**
 * The ledger as a service: every read and write the microservice and the
 * operator API make, over one SQL store (SQLite or PostgreSQL), and the one
 * way to choose that store from `DATABASE_URL`.
 *
 * @since 0.1.0
 */
import type {
  CalendarDate,
  Customer,
  CustomerCycles,
  IngestResult,
  Package,
  PackageAssignments,
  Reseller,
  ResellerCycleReport,
  Unavailable,
  UsageEvent,
  VoidResult
} from "@account-overview/core"
import { type Config, Context, Effect, Layer, type Option, type Redacted } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import * as DatabaseUrl from "./internal/databaseUrl.js"
import * as SqlLedger from "./internal/sqlLedger.js"
import type {
  IngestOptions,
  LedgerLayerOptions,
  LedgerRejected,
  OverviewReading,
  OverviewSource,
  PgLedgerOptions,
  SqliteLedgerOptions,
  UsageTotals
} from "./LedgerModels.js"
import { LedgerPage } from "./LedgerPage.js"
import { layerSqlClientPg, layerSqlClientSqlite } from "./LedgerSql.js"
import { LedgerWebhooks } from "./LedgerWebhooks.js"
import { migrate } from "./Migrations.js"

const onSql = (
  options: LedgerLayerOptions | undefined
): Layer.Layer<Ledger | LedgerPage | LedgerWebhooks, Unavailable, SqlClient> =>
  Layer.mergeAll(
    Layer.effect(Ledger, options?.migrate === false ? SqlLedger.make : Effect.andThen(migrate, SqlLedger.make)),
    LedgerPage.layerSql,
    LedgerWebhooks.layerSql
  )

// The `SqlClient` named by `DATABASE_URL`: what `layerConfig` and `migrateConfig` run on. Logs
// which store it opens (the SQLite file as an absolute path; never PostgreSQL's user or password).
const sqlClientConfig: Layer.Layer<SqlClient, Unavailable | Config.ConfigError> = Layer.unwrap(
  Effect.gen(function* () {
    const target = yield* DatabaseUrl.config
    yield* Effect.logInfo("opening the ledger").pipe(Effect.annotateLogs(DatabaseUrl.describe(target)))
    return target._tag === "sqlite" ? layerSqlClientSqlite(target.filename) : layerSqlClientPg(target.url)
  })
)

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
     * billing cycle that holds `when`, read together: on SQLite in one read
     * transaction, so from one snapshot. The usage is read before the caller
     * checks the key, so it must not be shown before that check. `when` is a
     * local date of the customer, or (since 0.2.0) an instant in epoch
     * milliseconds whose local date in the customer's zone is taken; the
     * package is the one in force that day.
     */
    readonly overviewReading: (
      apiUser: string | undefined,
      user: string,
      when: CalendarDate | number
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

    /**
     * Sets a reseller's default time zone (`undefined`: `UTC`); its customers
     * without a zone of their own are re-counted in it (decision 0100).
     * Answers false when there is no such reseller.
     *
     * @since 0.2.0
     */
    readonly setResellerTimeZone: (apiUser: string, timeZone: string | undefined) => Effect.Effect<boolean, Unavailable>

    /**
     * Fails with `LedgerRejected` when the reseller or the package does not
     * exist. A new customer's package is in force from before any date; a
     * different package for an existing customer is an immediate change
     * (`changePackage` `now`); a change of its effective zone re-counts its
     * events in the new zone (decision 0100).
     */
    readonly upsertCustomer: (customer: Customer) => Effect.Effect<Customer, LedgerRejected | Unavailable>

    /**
     * Changes a customer's package from today (its local date; the whole
     * current cycle's allowance becomes the new package's) or from the next
     * cycle's first day (decision 0101); either replaces a scheduled change.
     * None when there is no such customer; `LedgerRejected` for an unknown
     * package.
     *
     * @since 0.2.0
     */
    readonly changePackage: (
      user: string,
      pkg: string,
      effective: "now" | "nextCycle"
    ) => Effect.Effect<Option.Option<PackageAssignments>, LedgerRejected | Unavailable>

    /**
     * Cancels a customer's scheduled package change, if any.
     *
     * @since 0.2.0
     */
    readonly cancelPackageChange: (user: string) => Effect.Effect<Option.Option<PackageAssignments>, Unavailable>

    /**
     * A customer's cycles that overlap `from`..`to` (defaults: the year up to
     * its local today), each with the package in force on its last day (today
     * for the current cycle). `LedgerRejected` when `from` is after `to` or
     * the range holds more than 400 cycles.
     *
     * @since 0.2.0
     */
    readonly customerCycles: (
      user: string,
      range: { readonly from?: CalendarDate | undefined; readonly to?: CalendarDate | undefined }
    ) => Effect.Effect<Option.Option<CustomerCycles>, LedgerRejected | Unavailable>

    /**
     * A reseller's customers whose cycle has its process date on `closedOn`,
     * with their overage. None when there is no such reseller.
     *
     * @since 0.2.0
     */
    readonly resellerCycles: (
      apiUser: string,
      closedOn: CalendarDate
    ) => Effect.Effect<Option.Option<ResellerCycleReport>, Unavailable>
    readonly getCustomer: (user: string) => Effect.Effect<Option.Option<Customer>, Unavailable>
    /** Customers ordered by `user`, after `cursor` (exclusive), at most `limit`. */
    readonly listCustomers: (options: {
      readonly reseller?: string | undefined
      readonly limit: number
      readonly cursor?: string | undefined
    }) => Effect.Effect<{ readonly items: ReadonlyArray<Customer>; readonly nextCursor?: string }, Unavailable>

    /**
     * Stores a batch of events decoded with core's `UsageEvent` in one
     * transaction: new ids are counted, ids already stored with the same
     * content are duplicates, ids stored with other content (or repeated
     * inside the batch with other content) are conflicts. This is where a
     * batch's customers are checked, all in one set query: when any is
     * unknown, or `options.problems` holds the problems of events that did
     * not decode, it fails with one `LedgerRejected` listing every problem
     * of the batch by index, and stores nothing. Safe to run concurrently
     * from several instances.
     */
    readonly ingest: (
      events: ReadonlyArray<UsageEvent>,
      options?: IngestOptions
    ) => Effect.Effect<IngestResult, LedgerRejected | Unavailable>

    /**
     * Voids stored events by id, in one transaction: each is recorded as
     * voided (the event itself is never changed) and taken out of the daily
     * rollup, so every overview reads as if it was never sent. An id voided
     * before, or repeated in the call, is a duplicate. When any id is not a
     * stored event it fails with `LedgerRejected` (an `id` problem by index)
     * and voids nothing.
     *
     * @since 0.2.0
     */
    readonly voidEvents: (ids: ReadonlyArray<string>) => Effect.Effect<VoidResult, LedgerRejected | Unavailable>

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
  static readonly layerSql: Layer.Layer<Ledger, never, SqlClient> = Layer.effect(Ledger, SqlLedger.make)

  /**
   * The ledger in a SQLite file (created with its folder if absent), through
   * `node:sqlite`; migrated at start unless told otherwise.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerSqlite = (
    filename: string,
    options?: SqliteLedgerOptions
  ): Layer.Layer<Ledger | LedgerPage | LedgerWebhooks, Unavailable> =>
    onSql(options).pipe(Layer.provide(layerSqlClientSqlite(filename, options)))

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
  ): Layer.Layer<Ledger | LedgerPage | LedgerWebhooks, Unavailable> =>
    onSql(options).pipe(Layer.provide(layerSqlClientPg(url, options)))

  /**
   * The ledger chosen by `DATABASE_URL`, read through Effect `Config` and
   * kept redacted: `sqlite:<path>` (also `sqlite://<path>`,
   * `sqlite::memory:`), `postgres://…` or `postgresql://…` (a schema the
   * URL puts first on the `search_path` is created if absent); when unset,
   * `account-overview.db` in `DATA_DIR` (`defaultDatabaseUrl` when that is
   * unset too). Logs the store it opens at info level. Migrated at start.
   * Any other value is a `ConfigError` that does not repeat it.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerConfig: Layer.Layer<Ledger | LedgerPage | LedgerWebhooks, Unavailable | Config.ConfigError> =
    Layer.mergeAll(
      Layer.effect(Ledger, Effect.andThen(migrate, SqlLedger.make)),
      LedgerPage.layerSql,
      LedgerWebhooks.layerSql
    ).pipe(Layer.provide(sqlClientConfig))

  /**
   * Runs the pending migrations on the store chosen by `DATABASE_URL` (as
   * `layerConfig` reads it) and answers those it ran: the server's
   * `migrate` command.
   *
   * @since 0.2.0
   * @category migrations
   */
  static readonly migrateConfig: Effect.Effect<
    ReadonlyArray<readonly [id: number, name: string]>,
    Unavailable | Config.ConfigError
  > = Effect.provide(migrate, sqlClientConfig)
}
