import {
  AccountOverviews,
  type Customer,
  cycleFor,
  maxDailyTotal,
  maxEventCount,
  parseCalendarDate,
  type UsageEvent
} from "@account-overview/core"
import { assert, it } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, Layer, Option, Redacted, Scope, Tracer } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import { Ledger } from "../src/Ledger.js"
import { LedgerRejected } from "../src/LedgerModels.js"
import { LedgerOverviews, unreadableOverview } from "../src/LedgerOverviews.js"
import { migrate } from "../src/Migrations.js"
import { ResellerKeys } from "../src/ResellerKeys.js"

export interface SuiteOptions {
  /** A migrated ledger and the `SqlClient` it runs on. */
  readonly layer: Layer.Layer<Ledger | SqlClient.SqlClient, unknown>
  /** Another instance on the same database (another connection or pool), when the store can have one. */
  readonly secondInstance?: Layer.Layer<Ledger, unknown> | undefined
}

const date = (s: string) => parseCalendarDate(s)!
const key = (s: string) => Redacted.make(s)
let counter = 0
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  return reason !== undefined && reason._tag === "Fail" ? reason.error : undefined
}

const event = (id: string, user: string, occurredAt: string, requests = 1, credits = 2): UsageEvent => ({
  id,
  user,
  requests,
  credits,
  occurredAt
})

/** A package, a reseller and customers under it, with unique names. */
const seed = (options: { readonly customers: number; readonly anchor?: string; readonly credits?: number }) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger
    const pkg = { name: unique("pkg"), credits: options.credits ?? 1000, overagePrice: 0.01 }
    yield* ledger.upsertPackage(pkg)
    const reseller = unique("reseller")
    const apiKey = key(`key-of-${reseller}`)
    yield* ledger.upsertReseller(reseller, apiKey)
    const customers: Array<Customer> = []
    for (let i = 0; i < options.customers; i++) {
      const customer: Customer = {
        user: `${unique("user")}@example.com`,
        reseller,
        package: pkg.name,
        billingAnchor: date(options.anchor ?? "2024-01-15"),
        reputation: 99.5
      }
      customers.push(yield* ledger.upsertCustomer(customer))
    }
    return { pkg, reseller, apiKey, customers }
  })

const countEvents = (ids: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ n: unknown }>`SELECT COUNT(*) AS n FROM usage_events WHERE id IN ${sql.in(ids)}`
    return Number(rows[0]?.n)
  })

export const ledgerSuite = (name: string, options: SuiteOptions) =>
  it.layer(
    Layer.mergeAll(LedgerOverviews.layer, ResellerKeys.layer).pipe(
      Layer.provideMerge(Layer.merge(options.layer, ResellerKeys.layer))
    ),
    // The layer's pools and timers run on the live clock; the test that moves
    // time provides its own TestClock, so jumping years does not wake them.
    { timeout: 60_000, excludeTestServices: true }
  )(name, (it) => {
    it.effect("names are compared without regard to case: one record per name, the stored spelling kept", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const overviews = yield* AccountOverviews
        const { apiKey, customers, pkg, reseller } = yield* seed({ customers: 1 })
        const stored = `Mixed.${unique("Case")}@Example.COM`
        yield* ledger.upsertCustomer({ ...customers[0]!, user: stored })
        const lower = stored.toLowerCase()
        const again = yield* ledger.upsertCustomer({ ...customers[0]!, user: lower, reputation: 42 })
        assert.strictEqual(again.user, stored)
        const found = Option.getOrThrow(yield* ledger.getCustomer(lower))
        assert.strictEqual(found.user, stored)
        assert.strictEqual(found.reputation, 42)
        const page = yield* ledger.listCustomers({ reseller: reseller.toUpperCase(), limit: 10 })
        assert.deepStrictEqual(page.items.map((c) => c.user).sort(), [customers[0]!.user, stored].sort())
        const overview = yield* overviews.overview({ apiUser: reseller.toUpperCase(), apiKey }, lower)
        assert.strictEqual(overview.package, pkg.name)
        yield* ledger.ingest([event(unique("ci"), lower.toUpperCase(), "2024-01-20T00:00:00Z", 1, 5)])
        const usage = yield* ledger.usageBetween(stored, date("2024-01-15"), date("2024-02-14"))
        assert.strictEqual(usage.credits, 5)
        const admitted: Array<string | undefined> = []
        yield* overviews.overview({ apiUser: reseller.toUpperCase(), apiKey }, lower, {
          admit: (r) => Effect.sync(() => void admitted.push(r))
        })
        assert.deepStrictEqual(admitted, [reseller.toLowerCase()])
      })
    )

    it.effect(
      "a key-only call with a generated key speaks for the reseller the key names: 404 for absent and foreign customers",
      () =>
        Effect.gen(function* () {
          const ledger = yield* Ledger
          const keys = yield* ResellerKeys
          const overviews = yield* AccountOverviews
          const mine = yield* seed({ customers: 1 })
          const theirs = yield* seed({ customers: 1 })
          const generated = yield* keys.generate(mine.reseller)
          yield* ledger.upsertReseller(mine.reseller, generated)
          const keyOnly = { apiUser: "apikey", apiKey: generated }
          const admitted: Array<string | undefined> = []
          const admit = (r: string | undefined) => Effect.sync(() => void admitted.push(r))
          const own = yield* overviews.overview(keyOnly, mine.customers[0]!.user.toUpperCase(), { admit })
          assert.strictEqual(own.package, mine.pkg.name)
          for (const user of ["nobody\u0000@nowhere.example", "nobody@nowhere.example", theirs.customers[0]!.user]) {
            const failed = failureOf(yield* Effect.exit(overviews.overview(keyOnly, user, { admit })))
            assert.strictEqual(failed?._tag, "CustomerNotFound")
          }
          assert.deepStrictEqual(admitted, Array(4).fill(mine.reseller.toLowerCase()))
          // A key naming a reseller it is not the key of verifies nothing.
          const forged = Redacted.make(Redacted.value(generated).replace(/\.[^.]*$/, ".forged"))
          const refused = failureOf(yield* Effect.exit(overviews.overview({ apiUser: "apikey", apiKey: forged }, "x")))
          assert.strictEqual(refused?._tag, "AuthenticationFailed")
          // An operator's own key names no reseller: the customer's reseller, as before.
          const old = failureOf(
            yield* Effect.exit(overviews.overview({ apiUser: "apikey", apiKey: theirs.apiKey }, "nobody"))
          )
          assert.strictEqual(old?._tag, "AuthenticationFailed")
          const theirsOverview = yield* overviews.overview(
            { apiUser: "apikey", apiKey: theirs.apiKey },
            theirs.customers[0]!.user
          )
          assert.strictEqual(theirsOverview.package, theirs.pkg.name)
        })
    )

    it.effect("migrations are idempotent: a second run does nothing and the tables stay", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        assert.deepStrictEqual(yield* migrate, [])
        assert.deepStrictEqual(yield* migrate, [])
        const rows = yield* sql<{ migration_id: unknown }>`SELECT migration_id FROM ledger_migrations ORDER BY 1`
        assert.deepStrictEqual(
          rows.map((r) => Number(r.migration_id)).sort((a, b) => a - b),
          [1, 2, 3, 4, 5, 6]
        )
        yield* (yield* Ledger).ping()
      })
    )

    it.effect("upserts are idempotent and update in place", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const pkg = { name: unique("pkg"), credits: 500 }
        yield* ledger.upsertPackage(pkg)
        yield* ledger.upsertPackage(pkg)
        yield* ledger.upsertPackage({ ...pkg, credits: 700, overagePrice: 0.5 })
        const packages = (yield* ledger.listPackages()).filter((p) => p.name === pkg.name)
        assert.deepStrictEqual(packages, [{ name: pkg.name, credits: 700, overagePrice: 0.5 }])
        yield* ledger.upsertPackage(pkg)
        assert.deepStrictEqual(
          (yield* ledger.listPackages()).filter((p) => p.name === pkg.name),
          [pkg]
        )

        const reseller = unique("reseller")
        assert.deepStrictEqual(yield* ledger.upsertReseller(reseller, key("k1")), { created: true })
        const first = yield* ledger.overviewSource(reseller, "nobody")
        assert.deepStrictEqual(yield* ledger.upsertReseller(reseller, key("k1")), { created: false })
        const second = yield* ledger.overviewSource(reseller, "nobody")
        assert.deepStrictEqual(second, first)
        assert.deepStrictEqual(yield* ledger.getReseller(reseller), Option.some({ apiUser: reseller }))
        assert.isTrue(Option.isNone(yield* ledger.getReseller(unique("absent"))))

        const customer: Customer = {
          user: unique("user"),
          reseller,
          package: pkg.name,
          billingAnchor: date("2024-01-31"),
          reputation: 100
        }
        yield* ledger.upsertCustomer(customer)
        yield* ledger.upsertCustomer(customer)
        assert.deepStrictEqual(yield* ledger.getCustomer(customer.user), Option.some(customer))
        const moved = { ...customer, reputation: 42.5, billingAnchor: date("2023-03-01") }
        yield* ledger.upsertCustomer(moved)
        assert.deepStrictEqual(yield* ledger.getCustomer(customer.user), Option.some(moved))
        const page = yield* ledger.listCustomers({ reseller, limit: 10 })
        assert.deepStrictEqual(page, { items: [moved] })
      })
    )

    it.effect("a customer of an absent reseller or package is rejected and not written", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const { pkg, reseller } = yield* seed({ customers: 0 })
        const user = unique("user")
        const base = { user, billingAnchor: date("2024-01-01"), reputation: 1 }
        const noReseller = yield* Effect.exit(
          ledger.upsertCustomer({ ...base, reseller: unique("ghost"), package: pkg.name })
        )
        const noPackage = yield* Effect.exit(ledger.upsertCustomer({ ...base, reseller, package: unique("ghost") }))
        const neither = yield* Effect.exit(
          ledger.upsertCustomer({ ...base, reseller: unique("ghost"), package: unique("ghost") })
        )
        const fields = (exit: typeof noReseller) => {
          const error = failureOf(exit)
          assert.instanceOf(error, LedgerRejected)
          return (error as LedgerRejected).problems.map((p) => p.field)
        }
        assert.deepStrictEqual(fields(noReseller), ["reseller"])
        assert.deepStrictEqual(fields(noPackage), ["package"])
        assert.deepStrictEqual(fields(neither), ["reseller", "package"])
        assert.isTrue(Option.isNone(yield* ledger.getCustomer(user)))
      })
    )

    it.effect("the key is stored only as a hash; it verifies; rotation invalidates the old key at once", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const keys = yield* ResellerKeys
        const overviews = yield* AccountOverviews
        const { apiKey, customers, reseller } = yield* seed({ customers: 1 })
        const user = customers[0]!.user
        const source = Option.getOrThrow(yield* ledger.overviewSource(reseller, user))
        assert.notStrictEqual(source.keyHash, Redacted.value(apiKey))
        assert.notInclude(source.keyHash, Redacted.value(apiKey))
        assert.match(source.keyHash, /^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/)
        assert.isTrue(yield* keys.verify(source.keyHash, apiKey))
        assert.isTrue(yield* keys.verify(source.keyHash, apiKey))
        assert.isFalse(yield* keys.verify(source.keyHash, key("wrong")))

        const ok = yield* overviews.overview({ apiUser: reseller, apiKey }, user)
        assert.strictEqual(ok.creditsUsed, 0)

        const rotated = key(`rotated-${reseller}`)
        assert.deepStrictEqual(yield* ledger.upsertReseller(reseller, rotated), { created: false })
        const after = Option.getOrThrow(yield* ledger.overviewSource(reseller, user))
        assert.notStrictEqual(after.keyHash, source.keyHash)
        assert.isFalse(yield* keys.verify(after.keyHash, apiKey))
        const old = yield* Effect.exit(overviews.overview({ apiUser: reseller, apiKey }, user))
        assert.strictEqual((failureOf(old) as { _tag: string })._tag, "AuthenticationFailed")
        const fresh = yield* overviews.overview({ apiUser: reseller, apiKey: rotated }, user)
        assert.deepStrictEqual(fresh, ok)
      })
    )

    it.effect("no enumeration: another reseller's customer reads exactly like an absent one", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const overviews = yield* AccountOverviews
        const a = yield* seed({ customers: 1 })
        const b = yield* seed({ customers: 0 })
        const foreign = yield* ledger.overviewSource(b.reseller, a.customers[0]!.user)
        const absent = yield* ledger.overviewSource(b.reseller, unique("nobody"))
        assert.deepStrictEqual(foreign, absent)
        assert.isTrue(Option.isSome(foreign) && Option.isNone(foreign.value.customer))
        assert.isTrue(Option.isNone(yield* ledger.overviewSource(unique("ghost"), a.customers[0]!.user)))

        const credentials = { apiUser: b.reseller, apiKey: b.apiKey }
        const foreignExit = yield* Effect.exit(overviews.overview(credentials, a.customers[0]!.user))
        const absentExit = yield* Effect.exit(overviews.overview(credentials, "nobody@example.com"))
        const fe = failureOf(foreignExit) as { _tag: string; message: string }
        const ae = failureOf(absentExit) as { _tag: string; message: string }
        assert.strictEqual(fe._tag, "CustomerNotFound")
        assert.strictEqual(ae._tag, "CustomerNotFound")
        assert.strictEqual(fe.message, ae.message)

        const ghost = yield* Effect.exit(
          overviews.overview({ apiUser: unique("ghost"), apiKey: b.apiKey }, a.customers[0]!.user)
        )
        assert.strictEqual((failureOf(ghost) as { _tag: string })._tag, "AuthenticationFailed")
      })
    )

    it.effect("ingest: duplicates, conflicts and repeats inside a batch", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const { customers } = yield* seed({ customers: 2 })
        const [u1, u2] = [customers[0]!.user, customers[1]!.user]
        const p = unique("ev")
        const first = yield* ledger.ingest([
          event(`${p}-1`, u1, "2024-01-20T10:00:00Z", 1, 10),
          event(`${p}-2`, u1, "2024-01-20T11:00:00Z", 2, 20),
          event(`${p}-2`, u1, "2024-01-20T12:00:00+01:00", 2, 20),
          event(`${p}-3`, u2, "2024-01-21T00:00:00Z", 3, 30),
          event(`${p}-3`, u2, "2024-01-21T00:00:00Z", 3, 31)
        ])
        assert.deepStrictEqual(first, { accepted: 3, duplicates: [`${p}-2`], conflicts: [`${p}-3`] })

        const second = yield* ledger.ingest([
          event(`${p}-1`, u1, "2024-01-20T10:00:00.000Z", 1, 10),
          event(`${p}-2`, u2, "2024-01-20T11:00:00Z", 2, 20),
          event(`${p}-4`, u2, "2024-01-22T00:00:00Z", 4, 40),
          event(`${p}-3`, u2, "2024-01-21T00:00:00Z", 3, 99),
          event(`${p}-3`, u2, "2024-01-21T00:00:00Z", 3, 99)
        ])
        assert.deepStrictEqual(second, {
          accepted: 1,
          duplicates: [`${p}-1`],
          conflicts: [`${p}-2`, `${p}-3`, `${p}-3`]
        })

        const range = [date("2024-01-01"), date("2024-01-31")] as const
        assert.deepStrictEqual(yield* ledger.usageBetween(u1, ...range), { requests: 3, credits: 30 })
        assert.deepStrictEqual(yield* ledger.usageBetween(u2, ...range), { requests: 7, credits: 70 })
        assert.deepStrictEqual(yield* ledger.ingest([]), { accepted: 0, duplicates: [], conflicts: [] })
      })
    )

    it.effect("an unknown customer rejects the whole batch, listing each bad index, and stores nothing", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const { customers } = yield* seed({ customers: 1 })
        const user = customers[0]!.user
        const p = unique("ev")
        const batch = [
          event(`${p}-1`, user, "2024-01-20T10:00:00Z"),
          event(`${p}-2`, "ghost-1@example.com", "2024-01-20T10:00:00Z"),
          event(`${p}-3`, user, "2024-01-20T10:00:00Z"),
          event(`${p}-4`, "ghost-2@example.com", "2024-01-20T10:00:00Z")
        ]
        const exit = yield* Effect.exit(ledger.ingest(batch))
        const error = failureOf(exit)
        assert.instanceOf(error, LedgerRejected)
        assert.deepStrictEqual(
          (error as LedgerRejected).problems.map((p) => [p.index, p.field]),
          [
            [1, "user"],
            [3, "user"]
          ]
        )
        assert.strictEqual(yield* countEvents(batch.map((e) => e.id)), 0)
        assert.deepStrictEqual(yield* ledger.usageBetween(user, date("2024-01-01"), date("2024-12-31")), {
          requests: 0,
          credits: 0
        })
      })
    )

    it.effect("the reader's problems and unknown customers come back together, by batch index, in one wording", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const { customers } = yield* seed({ customers: 1 })
        const user = customers[0]!.user
        const p = unique("ev")
        // Batch indexes 0..4: 1 and 3 did not decode, 4's customer is unknown.
        const decoded = [
          event(`${p}-0`, user, "2024-01-20T10:00:00Z"),
          event(`${p}-2`, user, "2024-01-20T10:00:00Z"),
          event(`${p}-4`, "ghost@example.com", "2024-01-20T10:00:00Z")
        ]
        const exit = yield* Effect.exit(
          ledger.ingest(decoded, {
            indexes: [0, 2, 4],
            problems: [
              { index: 1, field: "requests", message: "a non-negative integer" },
              { index: 1, field: "credits", message: "a non-negative integer" },
              { index: 3, field: "", message: "line 4 is not valid JSON" }
            ]
          })
        )
        const error = failureOf(exit)
        assert.instanceOf(error, LedgerRejected)
        assert.deepStrictEqual((error as LedgerRejected).problems, [
          { index: 1, field: "requests", message: "a non-negative integer" },
          { index: 1, field: "credits", message: "a non-negative integer" },
          { index: 3, field: "", message: "line 4 is not valid JSON" },
          { index: 4, field: "user", message: 'no customer "ghost@example.com"' }
        ])
        assert.strictEqual(yield* countEvents(decoded.map((e) => e.id)), 0)

        // Problems alone (no event decoded) reject too, and nothing is read.
        const none = failureOf(
          yield* Effect.exit(ledger.ingest([], { problems: [{ index: 0, field: "", message: "x" }] }))
        )
        assert.instanceOf(none, LedgerRejected)
      })
    )

    it.effect("a batch of 10,000 distinct unknown customers is checked in one query and rejected whole", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const p = unique("many")
        const batch = Array.from({ length: 10_000 }, (_, i) =>
          event(`${p}-${i}`, `${p}-ghost-${i}`, "2024-01-20T10:00:00Z")
        )
        const spans: Array<Tracer.NativeSpan> = []
        const tracer = Tracer.make({
          span(options) {
            const span = new Tracer.NativeSpan(options)
            spans.push(span)
            return span
          }
        })
        const error = failureOf(yield* Effect.exit(ledger.ingest(batch).pipe(Effect.withTracer(tracer))))
        assert.instanceOf(error, LedgerRejected)
        const problems = (error as LedgerRejected).problems
        assert.strictEqual(problems.length, 10_000)
        assert.deepStrictEqual(problems[9_999], {
          index: 9_999,
          field: "user",
          message: `no customer ${JSON.stringify(`${p}-ghost-9999`)}`
        })
        const statements = spans.filter((span) => typeof span.attributes.get("db.query.text") === "string")
        assert.strictEqual(statements.length, 1, statements.map((s) => s.attributes.get("db.query.text")).join("\n"))
        assert.include(String(statements[0]!.attributes.get("db.query.text")), "FROM customers")
      })
    )

    it.effect("the daily rollup equals the sum of the stored events", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const sql = yield* SqlClient.SqlClient
        const { customers } = yield* seed({ customers: 3 })
        const p = unique("ev")
        const events: Array<UsageEvent> = []
        let state = 0x9e3779b9
        const next = () => {
          state = (state + 0x6d2b79f5) | 0
          let t = Math.imul(state ^ (state >>> 15), 1 | state)
          t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
          return (t ^ (t >>> 14)) >>> 0
        }
        for (let i = 0; i < 3000; i++) {
          const at = Date.UTC(2024, 0, 1) + (next() % (90 * 86_400_000))
          events.push(
            event(
              `${p}-${next() % 2500}`,
              customers[next() % 3]!.user,
              new Date(at).toISOString(),
              next() % 5,
              next() % 50
            )
          )
        }
        // Same id, same content twice in a row is a duplicate; keep only content-consistent repeats.
        const byId = new Map<string, UsageEvent>()
        const batch = events.map((e) => {
          const seen = byId.get(e.id)
          if (seen !== undefined && next() % 2 === 0) return seen
          if (seen === undefined) byId.set(e.id, e)
          return e
        })
        const result = yield* ledger.ingest(batch)
        assert.strictEqual(result.accepted, byId.size)
        assert.strictEqual(result.accepted + result.duplicates.length + result.conflicts.length, batch.length)

        const users = customers.map((c) => c.user)
        const fromEvents = yield* sql<{ user_name: string; day: unknown; requests: unknown; credits: unknown }>`
          SELECT c.user_name, e.day, SUM(e.requests) AS requests, SUM(e.credits) AS credits
          FROM usage_events e JOIN customers c ON c.id = e.customer_id
          WHERE c.user_name IN ${sql.in(users)} GROUP BY c.user_name, e.day ORDER BY c.user_name, e.day`
        const fromRollup = yield* sql<{ user_name: string; day: unknown; requests: unknown; credits: unknown }>`
          SELECT c.user_name, d.day, d.requests, d.credits
          FROM usage_daily d JOIN customers c ON c.id = d.customer_id
          WHERE c.user_name IN ${sql.in(users)} ORDER BY c.user_name, d.day`
        const norm = (rows: typeof fromEvents) =>
          rows.map((r) => [r.user_name, String(r.day), Number(r.requests), Number(r.credits)])
        assert.deepStrictEqual(norm(fromRollup), norm(fromEvents))
        assert.isAbove(fromRollup.length, 100)

        // And usageBetween over arbitrary ranges matches the events kept (first of each id).
        for (const [from, to] of [
          ["2024-01-01", "2024-03-31"],
          ["2024-01-15", "2024-02-14"],
          ["2024-02-29", "2024-02-29"]
        ] as const) {
          for (const user of users) {
            let requests = 0
            let credits = 0
            for (const e of byId.values()) {
              const day = e.occurredAt.slice(0, 10)
              if (e.user === user && day >= from && day <= to) {
                requests += e.requests
                credits += e.credits
              }
            }
            assert.deepStrictEqual(yield* ledger.usageBetween(user, date(from), date(to)), { requests, credits })
          }
        }
      })
    )

    it.effect("a backfilled event is counted in the cycle that holds its time of use", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const overviews = yield* LedgerOverviews
        const { customers } = yield* seed({ customers: 1, anchor: "2023-06-15", credits: 100 })
        const user = customers[0]!.user
        const p = unique("ev")
        yield* ledger.ingest([event(`${p}-now`, user, "2024-03-20T08:00:00Z", 1, 60)])
        yield* ledger.ingest([event(`${p}-late`, user, "2024-03-14T23:59:59.999Z", 5, 80)])
        const current = Option.getOrThrow(yield* overviews.overviewAt(user, date("2024-03-25")))
        const past = Option.getOrThrow(yield* overviews.overviewAt(user, date("2024-02-20")))
        assert.deepStrictEqual(
          [current.billingStartDate, current.billingEndDate, current.creditsUsed, current.requests],
          ["2024-03-15", "2024-04-14", 60, 1]
        )
        assert.deepStrictEqual(
          [past.billingStartDate, past.billingEndDate, past.billingProcessDate, past.creditsUsed, past.requests],
          ["2024-02-15", "2024-03-14", "2024-03-15", 80, 5]
        )
        assert.deepStrictEqual([current.creditsRemain, current.creditsOverage], [40, 0])
        assert.isTrue(Option.isNone(yield* overviews.overviewAt(unique("nobody"))))
      })
    )

    it.effect("pagination covers every customer exactly once, in order", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const overviews = yield* LedgerOverviews
        const a = yield* seed({ customers: 17 })
        const b = yield* seed({ customers: 6 })
        const page = (reseller: string | undefined, limit: number) =>
          Effect.gen(function* () {
            const seen: Array<string> = []
            let cursor: string | undefined
            let pages = 0
            do {
              const result = yield* ledger.listCustomers({ reseller, limit, cursor })
              seen.push(...result.items.map((c) => c.user))
              cursor = result.nextCursor
              pages++
              assert.isAtMost(result.items.length, limit)
            } while (cursor !== undefined && pages < 1000)
            return seen
          })
        const expectedA = a.customers.map((c) => c.user).sort()
        const one = yield* ledger.listCustomers({ reseller: a.reseller, limit: 0 })
        assert.deepStrictEqual(
          one.items.map((c) => c.user),
          expectedA.slice(0, 1)
        )
        assert.isDefined(one.nextCursor)
        for (const limit of [1, 4, 17, 100]) assert.deepStrictEqual(yield* page(a.reseller, limit), expectedA)
        const all = yield* page(undefined, 5)
        assert.strictEqual(new Set(all).size, all.length)
        for (const user of [...expectedA, ...b.customers.map((c) => c.user)]) assert.include(all, user)
        assert.deepStrictEqual(all, [...all].sort())

        const seen: Array<string> = []
        let cursor: string | undefined
        do {
          const result = yield* overviews.overviewsOfReseller(b.reseller, {
            limit: 4,
            cursor,
            date: date("2024-05-01")
          })
          for (const item of result.items) {
            seen.push(item.user)
            assert.strictEqual("overview" in item ? item.overview.billingStartDate : item.problem, "2024-04-15")
          }
          cursor = result.nextCursor
        } while (cursor !== undefined)
        assert.deepStrictEqual(seen, b.customers.map((c) => c.user).sort())
      })
    )

    it.effect("overviewReading is overviewSource with the usage of the cycle that holds the date", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const a = yield* seed({ customers: 2, anchor: "2023-12-31", credits: 100 })
        const b = yield* seed({ customers: 0 })
        const [u1, u2] = [a.customers[0]!.user, a.customers[1]!.user]
        const p = unique("ev")
        yield* ledger.ingest([
          event(`${p}-1`, u1, "2024-01-30T23:59:59Z", 1, 5),
          event(`${p}-2`, u1, "2024-01-31T00:00:00Z", 2, 30),
          event(`${p}-3`, u1, "2024-02-29T12:00:00Z", 3, 7),
          event(`${p}-4`, u2, "2024-02-10T00:00:00Z", 4, 11)
        ])
        const cases = [
          [a.reseller, u1],
          [a.reseller, u2],
          [a.reseller, unique("nobody")],
          [b.reseller, u1],
          [unique("ghost"), u1]
        ] as const
        for (const day of [date("2024-02-28"), date("2024-02-29"), date("2024-01-30")]) {
          for (const [apiUser, user] of cases) {
            const source = yield* ledger.overviewSource(apiUser, user)
            const expected = Option.isNone(source)
              ? Option.none()
              : Option.some({
                  keyHash: source.value.keyHash,
                  customer: Option.isNone(source.value.customer)
                    ? Option.none()
                    : yield* Effect.gen(function* () {
                        const found = Option.getOrThrow(source.value.customer)
                        const cycle = cycleFor(found.customer.billingAnchor, day)
                        const usage = yield* ledger.usageBetween(user, cycle.start, cycle.end)
                        return Option.some({ ...found, cycle, usage })
                      })
                })
            assert.deepStrictEqual(yield* ledger.overviewReading(apiUser, user, day), expected, `${user} on ${day}`)
          }
        }
        const feb = Option.getOrThrow(yield* ledger.overviewReading(a.reseller, u1, date("2024-02-29")))
        assert.deepStrictEqual(
          Option.map(feb.customer, (c): ReadonlyArray<unknown> => [c.cycle.start, c.cycle.end, c.usage]),
          Option.some(["2024-02-29", "2024-03-30", { requests: 3, credits: 7 }])
        )
        const jan = Option.getOrThrow(yield* ledger.overviewReading(a.reseller, u1, date("2024-02-28")))
        assert.deepStrictEqual(
          Option.map(jan.customer, (c) => c.usage),
          Option.some({ requests: 2, credits: 30 })
        )
        const foreign = yield* ledger.overviewReading(b.reseller, u1, date("2024-02-28"))
        const absent = yield* ledger.overviewReading(b.reseller, unique("nobody"), date("2024-02-28"))
        assert.deepStrictEqual(foreign, absent)
      })
    )

    it.effect("a key-only reading is the reading of the customer's own reseller; none without the customer", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const a = yield* seed({ customers: 2 })
        const b = yield* seed({ customers: 1 })
        const p = unique("ev")
        yield* ledger.ingest([event(`${p}-1`, a.customers[0]!.user, "2024-02-10T00:00:00Z", 3, 40)])
        const day = date("2024-02-20")
        for (const [reseller, customer] of [
          [a.reseller, a.customers[0]!],
          [a.reseller, a.customers[1]!],
          [b.reseller, b.customers[0]!]
        ] as const) {
          assert.deepStrictEqual(
            yield* ledger.overviewSource(undefined, customer.user),
            yield* ledger.overviewSource(reseller, customer.user)
          )
          const reading = yield* ledger.overviewReading(undefined, customer.user, day)
          assert.deepStrictEqual(reading, yield* ledger.overviewReading(reseller, customer.user, day))
          assert.deepStrictEqual(
            Option.map(
              Option.flatMap(reading, (r) => r.customer),
              (c) => c.customer.reseller
            ),
            Option.some(reseller)
          )
        }
        assert.deepStrictEqual(yield* ledger.overviewReading(undefined, unique("nobody"), day), Option.none())
        assert.deepStrictEqual(yield* ledger.overviewSource(undefined, unique("nobody")), Option.none())
      })
    )

    it.effect("overviews follow the clock across a month end and a leap day (anchor on the 31st)", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const overviews = yield* AccountOverviews
        const operator = yield* LedgerOverviews
        const { apiKey, customers, reseller } = yield* seed({ customers: 1, anchor: "2023-12-31", credits: 100 })
        const user = customers[0]!.user
        const p = unique("ev")
        yield* ledger.ingest([
          event(`${p}-jan31`, user, "2024-01-31T00:00:00Z", 1, 30),
          event(`${p}-feb28`, user, "2024-02-28T23:59:59Z", 1, 50),
          event(`${p}-feb29`, user, "2024-02-29T00:00:00Z", 1, 7),
          event(`${p}-mar30`, user, "2024-03-30T12:00:00Z", 1, 200)
        ])
        const credentials = { apiUser: reseller, apiKey }
        const at = (iso: string) =>
          Effect.gen(function* () {
            yield* TestClock.setTime(Date.parse(iso))
            const overview = yield* overviews.overview(credentials, user)
            assert.deepStrictEqual(Option.getOrThrow(yield* operator.overviewAt(user)), overview)
            return overview
          })

        yield* Effect.gen(function* () {
          const feb28 = yield* at("2024-02-28T23:59:59.999Z")
          assert.deepStrictEqual(feb28, {
            reputation: 99.5,
            requests: 2,
            package: feb28.package,
            creditsAllowed: 100,
            creditsUsed: 80,
            creditsRemain: 20,
            creditsOverage: 0,
            billingStartDate: date("2024-01-31"),
            billingEndDate: date("2024-02-28"),
            billingProcessDate: date("2024-02-29")
          })
          const feb29 = yield* at("2024-02-29T00:00:00.000Z")
          assert.deepStrictEqual(
            [
              feb29.billingStartDate,
              feb29.billingEndDate,
              feb29.billingProcessDate,
              feb29.creditsUsed,
              feb29.creditsRemain,
              feb29.creditsOverage
            ],
            ["2024-02-29", "2024-03-30", "2024-03-31", 207, 0, 107]
          )
          const jan30 = yield* at("2024-01-30T12:00:00Z")
          assert.deepStrictEqual([jan30.billingStartDate, jan30.billingEndDate], ["2023-12-31", "2024-01-30"])
          const mar31 = yield* at("2024-03-31T00:00:00Z")
          assert.deepStrictEqual(
            [mar31.billingStartDate, mar31.billingEndDate, mar31.creditsUsed],
            ["2024-03-31", "2024-04-29", 0]
          )
        }).pipe(Effect.provide(TestClock.layer()))
      })
    )

    it.effect("totals are exact at their bound: 31 days at maxDailyTotal give a cycle past 2^51, read exactly", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const overviews = yield* LedgerOverviews
        const { customers } = yield* seed({ customers: 1, anchor: "2024-01-01" })
        const user = customers[0]!.user
        const p = unique("ev")
        const perDay = maxDailyTotal / maxEventCount
        const events: Array<UsageEvent> = []
        for (let day = 1; day <= 31; day++) {
          for (let i = 0; i < perDay; i++) {
            events.push(
              event(
                `${p}-${day}-${i}`,
                user,
                `2024-01-${String(day).padStart(2, "0")}T12:00:00Z`,
                maxEventCount,
                maxEventCount
              )
            )
          }
        }
        assert.strictEqual((yield* ledger.ingest(events)).accepted, 3100)
        const overview = Option.getOrThrow(yield* overviews.overviewAt(user, date("2024-01-20")))
        assert.strictEqual(overview.creditsUsed, 3_100_000_000_000_000)
        assert.strictEqual(overview.requests, 3_100_000_000_000_000)
        assert.isTrue(Number.isSafeInteger(overview.creditsUsed))
        assert.strictEqual(overview.creditsOverage, 3_100_000_000_000_000 - 1000)
      })
    )

    it.effect("a day past maxDailyTotal is refused naming the field and event, in one batch or across two", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const { customers } = yield* seed({ customers: 1 })
        const user = customers[0]!.user
        const p = unique("ev")
        const at = "2024-02-01T00:00:00Z"
        const full = Array.from({ length: maxDailyTotal / maxEventCount }, (_, i) =>
          event(`${p}-${i}`, user, at, 1, maxEventCount)
        )
        // One batch alone over the bound: nothing stored.
        const alone = failureOf(yield* Effect.exit(ledger.ingest([...full, event(`${p}-over`, user, at, 1, 1)])))
        assert.instanceOf(alone, LedgerRejected)
        assert.deepStrictEqual(
          (alone as LedgerRejected).problems.map((x) => [x.index, x.field]),
          [[0, "credits"]]
        )
        assert.strictEqual(yield* countEvents([`${p}-0`, `${p}-over`]), 0)
        // Up to the bound is taken; one more credit in a later batch is refused and rolled back.
        assert.strictEqual((yield* ledger.ingest(full)).accepted, full.length)
        const later = failureOf(
          yield* Effect.exit(
            ledger.ingest([event(`${p}-ok`, user, "2024-02-02T00:00:00Z"), event(`${p}-over`, user, at, 1, 1)])
          )
        )
        assert.instanceOf(later, LedgerRejected)
        assert.deepStrictEqual(
          (later as LedgerRejected).problems.map((x) => [x.index, x.field]),
          [[1, "credits"]]
        )
        assert.strictEqual(yield* countEvents([`${p}-ok`, `${p}-over`]), 0)
        assert.deepStrictEqual(yield* ledger.usageBetween(user, date("2024-02-01"), date("2024-02-29")), {
          requests: full.length,
          credits: maxDailyTotal
        })
        // The same holds for requests.
        const requests = failureOf(
          yield* Effect.exit(ledger.ingest([event(`${p}-r`, user, "2024-02-03T00:00:00Z", maxDailyTotal + 1, 0)]))
        )
        assert.deepStrictEqual(
          (requests as LedgerRejected).problems.map((x) => [x.index, x.field]),
          [[0, "requests"]]
        )
      })
    )

    it.effect("a customer whose usage does not read back is that item's problem; the listing lists the rest", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const overviews = yield* LedgerOverviews
        const sql = yield* SqlClient.SqlClient
        const { customers, reseller } = yield* seed({ customers: 3 })
        const p = unique("ev")
        yield* ledger.ingest(customers.map((c, i) => event(`${p}-${i}`, c.user, "2024-01-20T00:00:00Z", 1, 10)))
        // A total past 2^53, as a ledger written before the bounds may hold.
        const broken = customers[1]!.user
        yield* sql`UPDATE usage_daily SET credits = ${9_007_199_254_740_993n}
          WHERE customer_id = (SELECT id FROM customers WHERE user_name = ${broken})`
        const page = yield* overviews.overviewsOfReseller(reseller, { limit: 10, date: date("2024-01-25") })
        const users = customers.map((c) => c.user).sort()
        assert.deepStrictEqual(
          page.items.map((item) => item.user),
          users
        )
        for (const item of page.items) {
          if (item.user === broken) assert.deepStrictEqual(item, { user: broken, problem: unreadableOverview })
          else assert.strictEqual("overview" in item ? item.overview.creditsUsed : item.problem, 10)
        }
        yield* ledger.ping()
      })
    )

    it.effect("a voided event counts nowhere, as if never sent; voids are idempotent and append-only", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const overviews = yield* LedgerOverviews
        const sql = yield* SqlClient.SqlClient
        const { customers } = yield* seed({ customers: 2, anchor: "2024-01-15", credits: 100 })
        const [voided, control] = [customers[0]!.user, customers[1]!.user]
        const p = unique("ev")
        const sent = (user: string, tag: string) => [
          event(`${p}-${tag}-jan`, user, "2024-01-20T10:00:00Z", 2, 30),
          event(`${p}-${tag}-feb`, user, "2024-02-20T10:00:00Z", 3, 40),
          event(`${p}-${tag}-bad1`, user, "2024-01-20T11:00:00Z", 7, 90),
          event(`${p}-${tag}-bad2`, user, "2024-02-14T23:00:00Z", 5, 70)
        ]
        yield* ledger.ingest(sent(voided, "v"))
        // The control customer never received the two events that are voided.
        yield* ledger.ingest(sent(control, "c").filter((e) => !e.id.includes("bad")))

        // An unknown id is a problem by index, and nothing is voided.
        const unknown = failureOf(yield* Effect.exit(ledger.voidEvents([`${p}-v-bad1`, `${p}-nope`])))
        assert.instanceOf(unknown, LedgerRejected)
        assert.deepStrictEqual(
          (unknown as LedgerRejected).problems.map((x) => [x.index, x.field]),
          [[1, "id"]]
        )

        const result = yield* ledger.voidEvents([`${p}-v-bad1`, `${p}-v-bad2`, `${p}-v-bad1`])
        assert.deepStrictEqual(result, { voided: 2, duplicates: [`${p}-v-bad1`] })
        // Voiding again is a duplicate; sending the event again is a duplicate, not counted.
        assert.deepStrictEqual(yield* ledger.voidEvents([`${p}-v-bad2`]), { voided: 0, duplicates: [`${p}-v-bad2`] })
        const again = yield* ledger.ingest(sent(voided, "v"))
        assert.strictEqual(again.accepted, 0)

        for (const day of ["2024-01-25", "2024-02-10", "2024-02-25"]) {
          const a = Option.getOrThrow(yield* overviews.overviewAt(voided, date(day)))
          const b = Option.getOrThrow(yield* overviews.overviewAt(control, date(day)))
          assert.deepStrictEqual(a, b, day)
        }
        // The events themselves are kept as sent.
        const kept = yield* sql<{ credits: unknown }>`SELECT credits FROM usage_events WHERE id = ${`${p}-v-bad1`}`
        assert.strictEqual(Number(kept[0]?.credits), 90)
      })
    )

    it.effect("concurrent overlapping batches from two fibers count each event once", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const { customers } = yield* seed({ customers: 2 })
        const p = unique("ev")
        const batch = (from: number, to: number) => {
          const out: Array<UsageEvent> = []
          for (let i = from; i < to; i++) {
            out.push(
              event(`${p}-${i}`, customers[i % 2]!.user, `2024-01-${String(16 + (i % 10)).padStart(2, "0")}T00:00:00Z`)
            )
          }
          return out
        }
        const [r1, r2] = yield* Effect.all([ledger.ingest(batch(0, 2000)), ledger.ingest(batch(1000, 3000))], {
          concurrency: 2
        })
        assert.strictEqual(r1.accepted + r2.accepted, 3000)
        assert.strictEqual(r1.duplicates.length + r2.duplicates.length, 1000)
        assert.strictEqual(r1.conflicts.length + r2.conflicts.length, 0)
        const total = yield* Effect.all(
          customers.map((c) => ledger.usageBetween(c.user, date("2024-01-01"), date("2024-01-31")))
        )
        assert.deepStrictEqual(total, [
          { requests: 1500, credits: 3000 },
          { requests: 1500, credits: 3000 }
        ])
      })
    )

    if (options.secondInstance !== undefined) {
      const second = options.secondInstance
      it.effect("two instances (two pools) ingesting overlapping batches count each event once", () =>
        Effect.gen(function* () {
          const ledger = yield* Ledger
          const scope = yield* Scope.make()
          const other = Context.get(yield* Layer.buildWithScope(second, scope), Ledger)
          const { customers } = yield* seed({ customers: 3 })
          const p = unique("ev")
          const batch = (from: number, to: number, reverse: boolean) => {
            const out: Array<UsageEvent> = []
            for (let i = from; i < to; i++) {
              out.push(
                event(
                  `${p}-${i}`,
                  customers[i % 3]!.user,
                  `2024-01-${String(16 + (i % 12)).padStart(2, "0")}T00:00:00Z`,
                  1,
                  3
                )
              )
            }
            return reverse ? out.reverse() : out
          }
          const rounds = 4
          const fibers: Array<Fiber.Fiber<{ accepted: number; duplicates: ReadonlyArray<string> }, unknown>> = []
          for (let round = 0; round < rounds; round++) {
            const base = round * 3000
            fibers.push(yield* Effect.forkChild(ledger.ingest(batch(base, base + 2000, false))))
            fibers.push(yield* Effect.forkChild(other.ingest(batch(base + 1000, base + 3000, true))))
          }
          const results = yield* Fiber.joinAll(fibers)
          yield* Scope.close(scope, Exit.void)
          const accepted = results.reduce((n, r) => n + r.accepted, 0)
          const duplicates = results.reduce((n, r) => n + r.duplicates.length, 0)
          assert.strictEqual(accepted, rounds * 3000)
          assert.strictEqual(duplicates, rounds * 1000)
          let requests = 0
          for (const c of customers) {
            requests += (yield* ledger.usageBetween(c.user, date("2024-01-01"), date("2024-01-31"))).requests
          }
          assert.strictEqual(requests, rounds * 3000)
        })
      )
    }
  })
