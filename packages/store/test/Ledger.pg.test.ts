import { randomBytes } from "node:crypto"
import type { CalendarDate } from "@account-overview/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted, Tracer } from "effect"
import { SqlClient } from "effect/sql"
import { Ledger } from "../src/Ledger.js"
import { layerSqlClientPg } from "../src/LedgerSql.js"
import { migrate } from "../src/Migrations.js"
import { ledgerSuite } from "./LedgerSuite.js"
import { timeZoneSuite } from "./TimeZoneSuite.js"

const url = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test"
const schema = `ao_test_${randomBytes(6).toString("hex")}`

const dropSchema = Layer.effectDiscard(
  Effect.addFinalizer(() =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`
    }).pipe(Effect.provide(layerSqlClientPg(url)), Effect.orDie)
  )
)

const suiteLayer = Ledger.layerSql.pipe(
  Layer.provideMerge(Layer.effectDiscard(migrate).pipe(Layer.provideMerge(layerSqlClientPg(url, { schema })))),
  Layer.provideMerge(dropSchema)
)

ledgerSuite("Ledger on PostgreSQL (internal/sqlLedger.ts, internal/ingest.ts, Migrations.ts, LedgerSql.ts)", {
  layer: suiteLayer,
  secondInstance: Ledger.layerPg(url, { schema })
})

timeZoneSuite(
  "time zones, package assignments and cycles on PostgreSQL (internal/billingLedger.ts, internal/reading.ts, internal/zones.ts)",
  suiteLayer
)

describe("Ledger.layerPg", () => {
  it.effect("a database that does not answer is Unavailable and the URL's password is not shown", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.gen(function* () {
          return yield* (yield* Ledger).ping()
        }).pipe(Effect.provide(Ledger.layerPg("postgres://app:hunter2@127.0.0.1:1/ledger")))
      )
      assert.strictEqual(error._tag, "Unavailable")
      assert.strictEqual(error.reason, "store")
      assert.notInclude(error.message, "hunter2")
      assert.notInclude(JSON.stringify(error), "hunter2")
    })
  )
})

describe("overviewReading on PostgreSQL (internal/sqlLedger.ts)", () => {
  it.layer(suiteLayer)((it) => {
    it.effect("an overview is one statement, its usage summed exactly from the days around the date", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const tag = randomBytes(4).toString("hex")
        const pkg = { name: `pkg-${tag}`, credits: 1000, overagePrice: 0.01 }
        yield* ledger.upsertPackage(pkg)
        const reseller = `reseller-${tag}`
        yield* ledger.upsertReseller(reseller, Redacted.make(`key-${tag}`))
        const user = `user-${tag}@example.com`
        yield* ledger.upsertCustomer({
          user,
          reseller,
          package: pkg.name,
          billingAnchor: "2024-01-31" as CalendarDate,
          reputation: 99.5,
          timeZone: "Pacific/Kiritimati"
        })
        const big = 10 ** 12 // maxEventCount: the largest event ingestion takes
        yield* ledger.ingest([
          { id: `${tag}-1`, user, requests: 1, credits: big, occurredAt: "2024-02-28T09:59:59Z" },
          { id: `${tag}-2`, user, requests: 2, credits: big + 1, occurredAt: "2024-02-28T10:00:00Z" },
          { id: `${tag}-3`, user, requests: 4, credits: 3, occurredAt: "2024-03-29T09:59:59Z" },
          { id: `${tag}-4`, user, requests: 8, credits: 5, occurredAt: "2024-03-29T10:00:00Z" }
        ])
        const spans: Array<Tracer.NativeSpan> = []
        const tracer = Tracer.make({
          span(options) {
            const span = new Tracer.NativeSpan(options)
            spans.push(span)
            return span
          }
        })
        // 2024-02-28T10:00Z is 2024-02-29 00:00 in Kiritimati (UTC+14): the cycle 2024-02-29..2024-03-30
        // starts that local day, and its UTC dates reach one day before it.
        for (const [apiUser, when] of [
          [reseller, Date.parse("2024-02-28T10:00:00Z")],
          [undefined, Date.parse("2024-03-29T09:59:59Z")],
          [reseller, "2024-03-30" as CalendarDate]
        ] as const) {
          spans.length = 0
          const reading = yield* ledger.overviewReading(apiUser, user, when).pipe(Effect.withTracer(tracer))
          const statements = spans.filter((span) => typeof span.attributes.get("db.query.text") === "string")
          assert.strictEqual(statements.length, 1, statements.map((s) => s.attributes.get("db.query.text")).join("\n"))
          const found = Option.getOrThrow(Option.flatMap(reading, (r) => r.customer))
          assert.deepStrictEqual([found.cycle.start, found.cycle.end], ["2024-02-29", "2024-03-30"])
          assert.deepStrictEqual(found.usage, { requests: 2 + 4 + 8, credits: big + 1 + 3 + 5 })
          assert.deepStrictEqual(found.usage, yield* ledger.usageBetween(user, found.cycle.start, found.cycle.end))
        }
      })
    )
  })
})
