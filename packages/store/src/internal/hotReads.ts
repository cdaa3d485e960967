import type { StatementSync } from "node:sqlite"
import type { CalendarDate, Unavailable } from "@account-overview/core"
import { Context, Effect, type Fiber, Option } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import type { Ledger } from "../Ledger.js"
import type { OverviewReading, OverviewSource, UsageTotals } from "../LedgerModels.js"
import * as Reading from "./reading.js"
import * as Rows from "./rows.js"
import * as SqliteHandle from "./sqliteHandle.js"

/** The reads of the overview hot path. */
export type HotReads = Pick<Ledger["Service"], "overviewSource" | "overviewReading" | "usageBetween">

const failed = (operation: string, error: Rows.Failure): Effect.Effect<never, Unavailable> =>
  Rows.storeFailure(operation)(Effect.fail(error))

const executeFailed = (operation: string, cause: unknown): Effect.Effect<never, Unavailable> =>
  failed(operation, SqliteHandle.sqlError(cause, "Failed to execute statement", "execute"))

interface Statements {
  readonly overview: StatementSync
  readonly keyOnly: StatementSync
  readonly usage: StatementSync
  readonly usageById: StatementSync
  readonly packageAt: StatementSync
  readonly begin: StatementSync
  readonly commit: StatementSync
}

/**
 * The hot reads straight on `node:sqlite`: the SQL of `onSql`, each a
 * prepared statement run inside one synchronous step, rows read as arrays
 * (columns in `Rows.overviewColumns` order) and checked by hand, no span,
 * no semaphore. `overviewReading` makes both of its reads in one read
 * transaction: a file in WAL mode pays a lock on its shared memory (two
 * system calls) per transaction, and the usage is read by the customer's id.
 *
 * The client serialises fibers on its one connection `db` because a
 * transaction spans several statements with yields between them. With a
 * `reader` (a read-only connection to the same file in WAL mode) the reads
 * run there: they see the last committed state and never wait for another
 * fiber's open transaction (an ingestion of 10,000 events holds one for a
 * while). Without one (`:memory:`) a read made while no transaction is open
 * runs on `db`, and nothing else runs during a synchronous step; while one
 * is open it goes through `onSql`, which waits for the connection. A read
 * made inside the fiber's own transaction always goes through `onSql`, which
 * joins the transaction and sees its writes. With neither (a file not in
 * WAL mode whose connection is in the writer thread) every read goes
 * through `onSql`.
 */
export const make = (
  handles: SqliteHandle.Handles,
  options: {
    /** The client's transaction service, to tell the fiber's own transaction from another's. */
    readonly transaction: SqlClient["transactionService"]
    /** Parameters: user key, api_user key (`Rows.lookupKey`). */
    readonly overviewSql: string
    /** Parameters: user key; selects the reseller's `api_user` last. */
    readonly keyOnlySql: string
    /** Parameters: from, to, user key. */
    readonly usageSql: string
    /** Parameters: customer id, from, to. */
    readonly usageByIdSql: string
    /** Parameters: customer id, date; selects name, credits, overage_price. */
    readonly packageAtSql: string
    readonly onSql: HotReads
  }
): HotReads => {
  const { onSql, transaction } = options
  const { reader, isTransaction } = handles
  const conn = reader ?? handles.db
  if (conn === undefined) return onSql
  let prepared: Statements | undefined

  // Whether this fiber's read runs straight on `conn`: always but inside its own transaction
  // when there is a reader, only while no transaction is open when there is none.
  const direct = (fiber: Fiber.Fiber<unknown, unknown>): boolean =>
    !isTransaction() || (reader !== undefined && Context.getOrUndefined(fiber.context, transaction) === undefined)

  // Rows as arrays: node:sqlite builds them faster than objects with names.
  const arrays = (text: string): StatementSync => {
    const statement = conn.prepare(text)
    statement.setReturnArrays(true)
    return statement
  }
  const statements = (): Statements =>
    (prepared ??= {
      overview: arrays(options.overviewSql),
      keyOnly: arrays(options.keyOnlySql),
      usage: arrays(options.usageSql),
      usageById: arrays(options.usageByIdSql),
      packageAt: arrays(options.packageAtSql),
      begin: conn.prepare("BEGIN"),
      commit: conn.prepare("COMMIT")
    })

  const endTransaction = (): void => {
    try {
      if (conn.isTransaction) conn.exec("ROLLBACK")
    } catch {
      // The connection is closed or broken: the next statement reports it.
    }
  }

  // The overview row: of the reseller named, or for a key-only read (no name) of the customer's own.
  const overviewRow = (s: Statements, apiUser: string | undefined, user: string) =>
    (apiUser === undefined
      ? s.keyOnly.get(Rows.lookupKey(user))
      : s.overview.get(Rows.lookupKey(user), Rows.lookupKey(apiUser))) as ReadonlyArray<unknown> | undefined

  const overviewSource = (apiUser: string | undefined, user: string) =>
    Effect.withFiber((fiber): Effect.Effect<Option.Option<OverviewSource>, Unavailable> => {
      let row: unknown
      try {
        if (!direct(fiber)) return onSql.overviewSource(apiUser, user)
        row = overviewRow(statements(), apiUser, user)
      } catch (cause) {
        return executeFailed("Ledger.overviewSource", cause)
      }
      const source = Rows.overviewSourceOf(apiUser, row as ReadonlyArray<unknown> | undefined)
      return source instanceof Rows.BadRow ? failed("Ledger.overviewSource", source) : Effect.succeed(source)
    })

  const usageBetween = (user: string, from: CalendarDate, to: CalendarDate) =>
    Effect.withFiber((fiber): Effect.Effect<UsageTotals, Unavailable> => {
      let row: unknown
      try {
        if (!direct(fiber)) return onSql.usageBetween(user, from, to)
        row = statements().usage.get(from, to, Rows.lookupKey(user))
      } catch (cause) {
        return executeFailed("Ledger.usageBetween", cause)
      }
      const values = row as ReadonlyArray<unknown> | undefined
      const totals = Rows.totalsOf(values?.[0], values?.[1])
      return totals instanceof Rows.BadRow ? failed("Ledger.usageBetween", totals) : Effect.succeed(totals)
    })

  // Both reads inside BEGIN .. COMMIT on `conn`; the caller has checked that it may read there.
  const readTogether = (
    s: Statements,
    apiUser: string | undefined,
    user: string,
    when: CalendarDate | number
  ): Option.Option<OverviewReading> | Rows.BadRow => {
    s.begin.run()
    try {
      const planned = Reading.plan(apiUser, overviewRow(s, apiUser, user), when)
      if (planned instanceof Rows.BadRow) return planned
      if (Option.isNone(planned)) return Option.none()
      const { customer, keyHash } = planned.value
      if (Option.isNone(customer)) return Option.some({ keyHash, customer: Option.none() })
      const found = customer.value
      let pkg = found.package
      if (pkg === undefined) {
        const inForce = Rows.packageOf(s.packageAt.get(found.id, found.date) as ReadonlyArray<unknown> | undefined)
        if (inForce instanceof Rows.BadRow) return inForce
        if (inForce === undefined) return Option.some({ keyHash, customer: Option.none() })
        pkg = inForce
      }
      const sums = s.usageById.get(found.id, found.cycle.start, found.cycle.end) as ReadonlyArray<unknown> | undefined
      const usage = Rows.totalsOf(sums?.[0], sums?.[1])
      if (usage instanceof Rows.BadRow) return usage
      return Option.some(Reading.readingOf(keyHash, found, pkg, usage))
    } finally {
      s.commit.run()
    }
  }

  const overviewReading = (apiUser: string | undefined, user: string, when: CalendarDate | number) =>
    Effect.withFiber((fiber): Effect.Effect<Option.Option<OverviewReading>, Unavailable> => {
      let reading: Option.Option<OverviewReading> | Rows.BadRow
      try {
        if (!direct(fiber)) return onSql.overviewReading(apiUser, user, when)
        reading = readTogether(statements(), apiUser, user, when)
      } catch (cause) {
        endTransaction()
        return executeFailed("Ledger.overviewReading", cause)
      }
      return reading instanceof Rows.BadRow ? failed("Ledger.overviewReading", reading) : Effect.succeed(reading)
    })

  return { overviewSource, overviewReading, usageBetween }
}
