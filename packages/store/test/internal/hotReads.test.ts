import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type CalendarDate, type Customer, parseCalendarDate, type Unavailable } from "@account-overview/core"
import { assert, layer } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Layer, Option, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { databaseOf, handlesOf, readerOf } from "../../src/internal/sqliteHandle.js"
import * as SqlLedger from "../../src/internal/sqlLedger.js"
import type { Ledger } from "../../src/Ledger.js"
import { layerSqlClientSqlite } from "../../src/LedgerSql.js"
import { migrate } from "../../src/Migrations.js"

const date = (s: string) => parseCalendarDate(s)!

// A migrated SQLite file, as the service runs it (WAL), removed after the suite.
const fileLayer = Layer.unwrap(
  Effect.gen(function* () {
    const dir = mkdtempSync(join(tmpdir(), "ao-hot-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
    return Layer.effectDiscard(migrate).pipe(Layer.provideMerge(layerSqlClientSqlite(join(dir, "ledger.db"))))
  })
)

/**
 * Two ledgers on one connection: `fast` on the client itself (the hot reads
 * go straight to node:sqlite), `onSql` on a proxy of it, which the hot reads
 * do not know, so every read goes through effect/sql.
 */
const ledgers = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const proxy = new Proxy(sql, {})
  assert.isDefined(handlesOf(sql))
  assert.isUndefined(handlesOf(proxy))
  return {
    sql,
    fast: yield* SqlLedger.make,
    onSql: yield* Effect.provideService(SqlLedger.make, SqlClient.SqlClient, proxy)
  }
})

let counter = 0
const unique = (prefix: string) => `${prefix}-${(counter++).toString(36)}`

const seed = (ledger: Ledger["Service"]) =>
  Effect.gen(function* () {
    const pkg = { name: unique("pkg"), credits: 100, overagePrice: 0.25 }
    yield* ledger.upsertPackage(pkg)
    const plain = { name: unique("plain"), credits: 7 }
    yield* ledger.upsertPackage(plain)
    const a = unique("reseller")
    const b = unique("reseller")
    yield* ledger.upsertReseller(a, Redacted.make("key-a"))
    yield* ledger.upsertReseller(b, Redacted.make("key-b"))
    const customers: Array<Customer> = [
      { user: unique("u"), reseller: a, package: pkg.name, billingAnchor: date("2024-01-31"), reputation: 12.25 },
      { user: unique("u"), reseller: a, package: plain.name, billingAnchor: date("2023-03-15"), reputation: 100 },
      { user: unique("u"), reseller: b, package: pkg.name, billingAnchor: date("2024-02-29"), reputation: 0 }
    ]
    for (const c of customers) yield* ledger.upsertCustomer(c)
    const [u1, u2, u3] = customers.map((c) => c.user) as [string, string, string]
    const at = (day: string, i: number) => `${day}T${String(i % 24).padStart(2, "0")}:00:00Z`
    const events = []
    for (let i = 0; i < 200; i++) {
      const day = new Date(Date.UTC(2024, 0, 1) + i * 43_200_000).toISOString().slice(0, 10)
      events.push({
        id: unique("e"),
        user: [u1, u2, u3][i % 3]!,
        requests: 1 + (i % 4),
        credits: 3 * i,
        occurredAt: at(day, i)
      })
    }
    yield* ledger.ingest(events)
    return { a, b, u1, u2, u3 }
  })

const unavailable = <A>(exit: Exit.Exit<A, Unavailable>) => {
  assert.isTrue(Exit.isFailure(exit))
  const error = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail") : undefined
  assert.strictEqual(error?._tag === "Fail" ? error.error.reason : undefined, "store")
}

const window = { day: date("2024-02-10"), from: date("2024-01-31"), to: date("2024-02-28") }

// The three hot reads of customer `user` of reseller `apiUser`, over `window`.
const readAll = (ledger: Ledger["Service"], apiUser: string, user: string) =>
  Effect.all({
    usage: ledger.usageBetween(user, window.from, window.to),
    reading: ledger.overviewReading(apiUser, user, window.day),
    source: ledger.overviewSource(apiUser, user)
  })

type Reads = Effect.Success<ReturnType<typeof readAll>>

/**
 * Opens a write transaction in another fiber that adds 1,000 credits to `user`'s day and sets
 * its reputation to 1, makes `reads` while it is open, then commits or rolls it back.
 * `expect: "answers"`: the reads are made in this fiber before the transaction may end (were
 * they to wait for it, they would wait for ever and the test would fail at its deadline), and
 * `during` is their answer. `expect: "waits"`: they are forked, and `during` is undefined when
 * they had not answered after 20 yields. `after` is what they answer once it has ended.
 */
const openTransaction = (
  sql: SqlClient.SqlClient,
  user: string,
  outcome: "commit" | "rollback",
  expect: "answers" | "waits",
  reads: () => Effect.Effect<Reads, Unavailable>
) =>
  Effect.gen(function* () {
    const opened = yield* Deferred.make<void>()
    const release = yield* Deferred.make<void>()
    const writer = yield* sql
      .withTransaction(
        Effect.gen(function* () {
          yield* sql`UPDATE usage_daily SET credits = credits + 1000
            WHERE customer_id = (SELECT id FROM customers WHERE user_name = ${user}) AND day = ${window.day}`
          yield* sql`UPDATE customers SET reputation = 1 WHERE user_name = ${user}`
          yield* Deferred.succeed(opened, undefined)
          yield* Deferred.await(release)
          if (outcome === "rollback") return yield* Effect.fail("rolled back" as const)
        })
      )
      .pipe(Effect.exit, Effect.forkChild)
    yield* Deferred.await(opened)
    let during: Reads | undefined
    let waiting: Fiber.Fiber<Reads, Unavailable> | undefined
    if (expect === "answers") {
      during = yield* reads()
    } else {
      waiting = yield* Effect.forkChild(reads())
      for (let i = 0; i < 20; i++) yield* Effect.yieldNow
      const polled = waiting.pollUnsafe()
      during = polled !== undefined && Exit.isSuccess(polled) ? polled.value : undefined
    }
    yield* Deferred.succeed(release, undefined)
    yield* Fiber.join(writer)
    return { during, after: waiting === undefined ? yield* reads() : yield* Fiber.join(waiting) }
  })

const assertCommitted = (after: Reads, before: Reads) => {
  assert.deepStrictEqual(after.usage, { ...before.usage, credits: before.usage.credits + 1000 })
  const customer = Option.flatMap(after.reading, (r) => r.customer)
  assert.deepStrictEqual(
    Option.map(customer, (c) => [c.customer.reputation, c.usage.credits]),
    Option.some([1, before.usage.credits + 1000])
  )
  assert.deepStrictEqual(
    Option.map(
      Option.flatMap(after.source, (s) => s.customer),
      (c) => c.customer.reputation
    ),
    Option.some(1)
  )
}

layer(fileLayer, { timeout: 60_000 })("hot reads on node:sqlite", (it) => {
  it.effect("answer exactly what effect/sql answers: present, absent and foreign customers, unknown resellers", () =>
    Effect.gen(function* () {
      const { fast, onSql } = yield* ledgers
      const { a, b, u1, u2, u3 } = yield* seed(fast)
      const pairs = [
        [a, u1],
        [a, u2],
        [a, u3],
        [b, u3],
        [b, u1],
        [a, "nobody@example.com"],
        [unique("ghost"), u1],
        ["", ""]
      ] as const
      let customersFound = 0
      for (const [apiUser, user] of pairs) {
        const source = yield* fast.overviewSource(apiUser, user)
        assert.deepStrictEqual(source, yield* onSql.overviewSource(apiUser, user), `${apiUser} / ${user}`)
        if (Option.isSome(source) && Option.isSome(source.value.customer)) customersFound++
        for (const day of ["2024-01-30", "2024-01-31", "2024-02-29", "2024-03-14", "2024-03-15", "2025-01-01"]) {
          const reading = yield* fast.overviewReading(apiUser, user, date(day))
          assert.deepStrictEqual(reading, yield* onSql.overviewReading(apiUser, user, date(day)), `${user} ${day}`)
        }
      }
      assert.strictEqual(customersFound, 3)
      let used = 0
      for (const user of [u1, u2, u3, "nobody@example.com"]) {
        for (const [from, to] of [
          ["2024-01-01", "2024-12-31"],
          ["2024-02-01", "2024-02-29"],
          ["2024-03-10", "2024-03-10"],
          ["2024-05-01", "2024-04-01"]
        ] as const) {
          const totals = yield* fast.usageBetween(user, date(from), date(to))
          assert.deepStrictEqual(totals, yield* onSql.usageBetween(user, date(from), date(to)))
          used += totals.credits
        }
      }
      assert.isAbove(used, 0)
    })
  )

  it.effect("answer a key-only read (no reseller named) as effect/sql does: the customer's own reseller's read", () =>
    Effect.gen(function* () {
      const { fast, onSql } = yield* ledgers
      const { a, b, u1, u2, u3 } = yield* seed(fast)
      for (const [reseller, user] of [
        [a, u1],
        [a, u2],
        [b, u3]
      ] as const) {
        const source = yield* fast.overviewSource(undefined, user)
        assert.deepStrictEqual(source, yield* onSql.overviewSource(undefined, user), user)
        assert.deepStrictEqual(source, yield* fast.overviewSource(reseller, user), user)
        for (const day of ["2024-01-30", "2024-02-29", "2025-01-01"]) {
          const reading = yield* fast.overviewReading(undefined, user, date(day))
          assert.deepStrictEqual(reading, yield* onSql.overviewReading(undefined, user, date(day)), `${user} ${day}`)
          assert.deepStrictEqual(reading, yield* fast.overviewReading(reseller, user, date(day)), `${user} ${day}`)
        }
      }
      for (const ledger of [fast, onSql]) {
        assert.deepStrictEqual(yield* ledger.overviewSource(undefined, "nobody@example.com"), Option.none())
        assert.deepStrictEqual(
          yield* ledger.overviewReading(undefined, "nobody@example.com", date("2024-02-29")),
          Option.none()
        )
      }
    })
  )

  it.effect("never wait for another fiber's open transaction: they answer at once with what is committed", () =>
    Effect.gen(function* () {
      const { fast, sql } = yield* ledgers
      assert.isDefined(readerOf(sql))
      const { a, u1 } = yield* seed(fast)
      const before = yield* readAll(fast, a, u1)

      const rolledBack = yield* openTransaction(sql, u1, "rollback", "answers", () => readAll(fast, a, u1))
      // Read on the read connection while the write transaction was open: the committed state.
      assert.deepStrictEqual(rolledBack.during, before)
      assert.deepStrictEqual(rolledBack.after, before)

      const committed = yield* openTransaction(sql, u1, "commit", "answers", () => readAll(fast, a, u1))
      assert.deepStrictEqual(committed.during, before)
      assertCommitted(committed.after, before)
    })
  )

  it.effect("inside the fiber's own transaction they join it and see its writes", () =>
    Effect.gen(function* () {
      const { fast, sql } = yield* ledgers
      const { a, u1 } = yield* seed(fast)
      const day = date("2024-02-10")
      const before = yield* fast.usageBetween(u1, day, day)
      const inside = yield* sql.withTransaction(
        Effect.gen(function* () {
          yield* sql`UPDATE usage_daily SET requests = requests + 5
            WHERE customer_id = (SELECT id FROM customers WHERE user_name = ${u1}) AND day = ${day}`
          return {
            usage: yield* fast.usageBetween(u1, day, day),
            reading: yield* fast.overviewReading(a, u1, day)
          }
        })
      )
      assert.deepStrictEqual(inside.usage, { ...before, requests: before.requests + 5 })
      assert.isTrue(Option.isSome(Option.flatMap(inside.reading, (r) => r.customer)))
      assert.deepStrictEqual(yield* fast.usageBetween(u1, day, day), inside.usage)
    })
  )

  it.effect("a row that does not fit is Unavailable on both paths, and leaves no transaction open", () =>
    Effect.gen(function* () {
      const { fast, onSql, sql } = yield* ledgers
      const { a, u1, u2 } = yield* seed(fast)
      yield* sql`UPDATE customers SET billing_anchor = '2024-02-30' WHERE user_name = ${u1}`
      yield* sql`UPDATE customers SET user_name = ${` ${u2}`}, user_key = ${` ${u2}`} WHERE user_name = ${u2}`
      const day: CalendarDate = date("2024-02-10")
      for (const ledger of [fast, onSql]) {
        unavailable(yield* Effect.exit(ledger.overviewSource(a, u1)))
        unavailable(yield* Effect.exit(ledger.overviewReading(a, u1, day)))
        unavailable(yield* Effect.exit(ledger.overviewSource(a, ` ${u2}`)))
        unavailable(yield* Effect.exit(ledger.overviewReading(a, ` ${u2}`, day)))
      }
      // Neither the connection the hot reads ran on nor the client's own is left in a transaction.
      assert.isFalse((readerOf(sql) ?? databaseOf(sql))!.isTransaction)
      assert.isFalse(handlesOf(sql)!.isTransaction())
      // The connection still serves reads and write transactions.
      yield* sql`UPDATE customers SET billing_anchor = '2024-02-29' WHERE user_name = ${u1}`
      assert.isTrue(Option.isSome(yield* fast.overviewReading(a, u1, day)))
      yield* fast.ingest([{ id: unique("e"), user: u1, requests: 1, credits: 1, occurredAt: "2024-02-10T00:00:00Z" }])
    })
  )

  it.effect("a failing statement is Unavailable and leaves no transaction open", () =>
    Effect.gen(function* () {
      const { fast, sql } = yield* ledgers
      const { a, u1 } = yield* seed(fast)
      const day = date("2024-02-10")
      const ok = yield* fast.overviewReading(a, u1, day)
      yield* sql`ALTER TABLE usage_daily RENAME TO usage_daily_moved`
      const failed = yield* Effect.exit(fast.overviewReading(a, u1, day))
      const failedUsage = yield* Effect.exit(fast.usageBetween(u1, day, day))
      yield* sql`ALTER TABLE usage_daily_moved RENAME TO usage_daily`
      unavailable(failed)
      unavailable(failedUsage)
      // Neither the connection the hot reads ran on nor the client's own is left in a transaction.
      assert.isFalse((readerOf(sql) ?? databaseOf(sql))!.isTransaction)
      assert.isFalse(handlesOf(sql)!.isTransaction())
      assert.deepStrictEqual(yield* fast.overviewReading(a, u1, day), ok)
    })
  )
})

// `:memory:` has no read connection (a second one would be another database): the hot reads
// run on the client's own connection and wait for another fiber's transaction instead.
const memoryLayer = Layer.effectDiscard(migrate).pipe(Layer.provideMerge(layerSqlClientSqlite(":memory:")))

layer(memoryLayer, { timeout: 60_000 })("hot reads on an in-memory database", (it) => {
  it.effect("do not read another fiber's open transaction: they wait for it, then see what it committed", () =>
    Effect.gen(function* () {
      const { fast, sql } = yield* ledgers
      assert.isUndefined(readerOf(sql))
      const { a, u1 } = yield* seed(fast)
      const before = yield* readAll(fast, a, u1)

      const rolledBack = yield* openTransaction(sql, u1, "rollback", "waits", () => readAll(fast, a, u1))
      // A read straight on the connection would have answered at once, with the uncommitted rows.
      assert.isUndefined(rolledBack.during)
      assert.deepStrictEqual(rolledBack.after, before)

      const committed = yield* openTransaction(sql, u1, "commit", "waits", () => readAll(fast, a, u1))
      assert.isUndefined(committed.during)
      assertCommitted(committed.after, before)
    })
  )
})
