import {
  type CalendarDate,
  type Customer,
  calendarDateFromEpochMillis,
  cycleFor,
  type EventProblem,
  type IngestResult,
  type Package,
  type Reseller,
  type UsageEvent
} from "@account-overview/core"
import { Effect, Option, Redacted, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"
import type { Fragment } from "effect/sql/Statement"
import { type Ledger, LedgerRejected, type OverviewReading, type OverviewSource, type UsageTotals } from "../Ledger.js"
import * as HotReads from "./hotReads.js"
import * as Rows from "./rows.js"
import * as Scrypt from "./scrypt.js"
import * as SqliteHandle from "./sqliteHandle.js"

/** Events per statement: one JSON document (SQLite) or six arrays (PostgreSQL) per chunk. */
const chunkSize = 10_000

const transientReasons = new Set(["DeadlockError", "SerializationError", "LockTimeoutError"])
const isTransient = (error: unknown): boolean =>
  typeof error === "object" &&
  error !== null &&
  "_tag" in error &&
  error._tag === "SqlError" &&
  transientReasons.has((error as SqlError).reason._tag)

const chunks = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** Opaque page cursor: the last `user` of a page, base64url. */
export const encodeCursor = (user: string): string => Buffer.from(user, "utf8").toString("base64url")
export const decodeCursor = (cursor: string): string => Buffer.from(cursor, "base64url").toString("utf8")

interface Pending {
  readonly index: number
  readonly id: string
  readonly customerId: number
  readonly requests: number
  readonly credits: number
  readonly at: number
  readonly day: string
}

interface StoredEvent {
  readonly customerId: number
  readonly requests: number
  readonly credits: number
  readonly at: number
}

const sameContent = (a: StoredEvent, b: StoredEvent): boolean =>
  a.customerId === b.customerId && a.requests === b.requests && a.credits === b.credits && a.at === b.at

const toCustomer = (row: typeof Rows.CustomerRow.Type): Customer => ({
  user: row.user_name,
  reseller: row.api_user,
  package: row.package_name,
  billingAnchor: row.billing_anchor,
  reputation: row.reputation
})

const decodePackages = Schema.decodeUnknownEffect(Schema.Array(Rows.PackageRow))
const decodeCustomers = Schema.decodeUnknownEffect(Schema.Array(Rows.CustomerRow))
const decodeKeyHashes = Schema.decodeUnknownEffect(Schema.Array(Rows.KeyHashRow))
const decodeIds = Schema.decodeUnknownEffect(Schema.Array(Rows.IdRow))
const decodeCustomerIds = Schema.decodeUnknownEffect(Schema.Array(Rows.CustomerIdRow))
const decodeStoredEvents = Schema.decodeUnknownEffect(Schema.Array(Rows.StoredEventRow))

const problem = (index: number, field: string, message: string): EventProblem => ({ index, field, message })

/** The ledger's statements over any `SqlClient` whose dialect is SQLite or PostgreSQL. */
export const make: Effect.Effect<Ledger["Service"], never, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const isPg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })

  // The statements of the overview hot path are compiled once, in the
  // client's dialect, and run with their parameters (user, api_user; the
  // key-only read: user). The columns are selected in `Rows.overviewColumns`
  // order.
  const [overviewSql] = sql`SELECT r.key_hash, c.user_name, c.billing_anchor, c.reputation,
          p.name AS package_name, p.credits AS package_credits, p.overage_price, c.id AS customer_id
        FROM resellers r
        LEFT JOIN customers c ON c.user_name = ${""} AND c.reseller_id = r.id
        LEFT JOIN packages p ON p.id = c.package_id
        WHERE r.api_user = ${""}`.compile()

  // A key-only call: the customer, its package and its own reseller's key hash.
  const [keyOnlySql] = sql`SELECT r.key_hash, c.user_name, c.billing_anchor, c.reputation,
          p.name AS package_name, p.credits AS package_credits, p.overage_price, c.id AS customer_id, r.api_user
        FROM customers c
        JOIN resellers r ON r.id = c.reseller_id
        LEFT JOIN packages p ON p.id = c.package_id
        WHERE c.user_name = ${""}`.compile()

  // Rows of the hot path are checked by hand (rows.ts), in both dialects.
  const overviewSource = (
    apiUser: string | undefined,
    user: string
  ): Effect.Effect<Option.Option<OverviewSource>, Rows.Failure> =>
    Effect.flatMap(
      apiUser === undefined
        ? sql.unsafe<Record<string, unknown>>(keyOnlySql, [user])
        : sql.unsafe<Record<string, unknown>>(overviewSql, [user, apiUser]),
      (rows) => {
        const row = rows[0]
        const source = Rows.overviewSourceOf(apiUser, row === undefined ? undefined : Rows.overviewValues(row))
        return source instanceof Rows.BadRow ? Effect.fail(source) : Effect.succeed(source)
      }
    )

  const sums = isPg
    ? sql.literal("COALESCE(SUM(d.requests), 0)::bigint AS requests, COALESCE(SUM(d.credits), 0)::bigint AS credits")
    : sql.literal("COALESCE(SUM(d.requests), 0) AS requests, COALESCE(SUM(d.credits), 0) AS credits")

  // Parameters: from, to, user.
  const [usageSql] = sql`SELECT ${sums}
        FROM customers c
        JOIN usage_daily d ON d.customer_id = c.id AND d.day >= ${""} AND d.day <= ${""}
        WHERE c.user_name = ${""}`.compile()

  const usageBetween = (user: string, from: CalendarDate, to: CalendarDate): Effect.Effect<UsageTotals, Rows.Failure> =>
    Effect.flatMap(sql.unsafe<Record<string, unknown>>(usageSql, [from, to, user]), (rows) => {
      const totals = Rows.totalsOf(rows[0]?.requests, rows[0]?.credits)
      return totals instanceof Rows.BadRow ? Effect.fail(totals) : Effect.succeed(totals)
    })

  // Parameters: customer id, from, to.
  const [usageByIdSql] = sql`SELECT ${sums} FROM usage_daily d
        WHERE d.customer_id = ${0} AND d.day >= ${""} AND d.day <= ${""}`.compile()

  const overviewReading = (
    apiUser: string | undefined,
    user: string,
    date: CalendarDate
  ): Effect.Effect<Option.Option<OverviewReading>, Rows.Failure> =>
    Effect.flatMap(overviewSource(apiUser, user), (source) => {
      if (Option.isNone(source)) return Effect.succeed(Option.none())
      const { customer, keyHash } = source.value
      if (Option.isNone(customer)) return Effect.succeed(Option.some({ keyHash, customer: Option.none() }))
      const found = customer.value
      const cycle = cycleFor(found.customer.billingAnchor, date)
      return Effect.map(usageBetween(user, cycle.start, cycle.end), (usage) =>
        Option.some({ keyHash, customer: Option.some({ ...found, cycle, usage }) })
      )
    })

  // On this package's SQLite client the hot reads skip effect/sql (hotReads.ts).
  const onSql: HotReads.HotReads = {
    overviewSource: (apiUser, user) => Rows.storeFailure("Ledger.overviewSource")(overviewSource(apiUser, user)),
    overviewReading: (apiUser, user, date) =>
      Rows.storeFailure("Ledger.overviewReading")(overviewReading(apiUser, user, date)),
    usageBetween: (user, from, to) => Rows.storeFailure("Ledger.usageBetween")(usageBetween(user, from, to))
  }
  const db = SqliteHandle.databaseOf(sql)
  const hot = db === undefined ? onSql : HotReads.make(db, { overviewSql, keyOnlySql, usageSql, usageByIdSql, onSql })

  const upsertPackage = (pkg: Package) =>
    sql`INSERT INTO packages (name, credits, overage_price)
        VALUES (${pkg.name}, ${pkg.credits}, ${pkg.overagePrice ?? null})
        ON CONFLICT (name) DO UPDATE SET credits = excluded.credits, overage_price = excluded.overage_price`.pipe(
      Effect.as(pkg)
    )

  const listPackages = () =>
    sql`SELECT name, credits, overage_price FROM packages ORDER BY name`.pipe(
      Effect.flatMap(decodePackages),
      Effect.map((rows) => rows.map((row) => Rows.toPackage(row.name, row.credits, row.overage_price)))
    )

  const keyHashOf = (apiUser: string) =>
    sql`SELECT key_hash FROM resellers WHERE api_user = ${apiUser}`.pipe(
      Effect.flatMap(decodeKeyHashes),
      Effect.map((rows) => Option.fromNullishOr(rows[0]?.key_hash))
    )

  const upsertReseller = (apiUser: string, apiKey: Redacted.Redacted<string>) =>
    Effect.gen(function* () {
      const existing = yield* keyHashOf(apiUser)
      // The same key again keeps the stored hash: the upsert is idempotent
      // and the verified-key caches of other instances stay warm.
      if (Option.isSome(existing) && (yield* Scrypt.verify(existing.value, Redacted.value(apiKey)))) {
        return { created: false }
      }
      const keyHash = yield* Scrypt.hash(Redacted.value(apiKey))
      yield* sql`INSERT INTO resellers (api_user, key_hash) VALUES (${apiUser}, ${keyHash})
                 ON CONFLICT (api_user) DO UPDATE SET key_hash = excluded.key_hash`
      return { created: Option.isNone(existing) }
    })

  const getReseller = (apiUser: string) =>
    Effect.map(
      keyHashOf(apiUser),
      Option.map((): Reseller => ({ apiUser }))
    )

  const customerColumns = sql.literal(`c.user_name, r.api_user, p.name AS package_name, c.billing_anchor, c.reputation
    FROM customers c
    JOIN resellers r ON r.id = c.reseller_id
    JOIN packages p ON p.id = c.package_id`)

  const upsertCustomer = (customer: Customer) =>
    Effect.gen(function* () {
      const written = yield* sql`INSERT INTO customers (user_name, reseller_id, package_id, billing_anchor, reputation)
        SELECT ${customer.user}, r.id, p.id, ${customer.billingAnchor}, ${customer.reputation}
        FROM resellers r JOIN packages p ON p.name = ${customer.package}
        WHERE r.api_user = ${customer.reseller}
        ON CONFLICT (user_name) DO UPDATE SET reseller_id = excluded.reseller_id, package_id = excluded.package_id,
          billing_anchor = excluded.billing_anchor, reputation = excluded.reputation
        RETURNING id`
      if (written.length > 0) return customer
      const [found] = yield* sql<{ reseller: unknown; package: unknown }>`SELECT
        (SELECT 1 FROM resellers WHERE api_user = ${customer.reseller}) AS reseller,
        (SELECT 1 FROM packages WHERE name = ${customer.package}) AS package`
      const problems: Array<EventProblem> = []
      if (found?.reseller === null || found?.reseller === undefined) {
        problems.push(problem(0, "reseller", `no reseller ${JSON.stringify(customer.reseller)}`))
      }
      if (found?.package === null || found?.package === undefined) {
        problems.push(problem(0, "package", `no package ${JSON.stringify(customer.package)}`))
      }
      return yield* new LedgerRejected({
        problems: problems.length > 0 ? problems : [problem(0, "", "the customer was not written")]
      })
    })

  const getCustomer = (user: string) =>
    sql`SELECT ${customerColumns} WHERE c.user_name = ${user}`.pipe(
      Effect.flatMap(decodeCustomers),
      Effect.map((rows) => Option.map(Option.fromNullishOr(rows[0]), toCustomer))
    )

  const listCustomers = (options: {
    readonly reseller?: string | undefined
    readonly limit: number
    readonly cursor?: string | undefined
  }) => {
    const limit = Number.isFinite(options.limit) ? Math.max(1, Math.floor(options.limit)) : 1
    const after = options.cursor === undefined ? "" : decodeCursor(options.cursor)
    const ofReseller: Fragment =
      options.reseller === undefined
        ? sql.literal("")
        : sql`AND c.reseller_id = (SELECT id FROM resellers WHERE api_user = ${options.reseller})`
    return sql`SELECT ${customerColumns}
        WHERE c.user_name > ${after} ${ofReseller}
        ORDER BY c.user_name LIMIT ${limit + 1}`.pipe(
      Effect.flatMap(decodeCustomers),
      Effect.map((rows) => {
        const items = rows.slice(0, limit).map(toCustomer)
        const last = items[items.length - 1]
        return rows.length > limit && last !== undefined ? { items, nextCursor: encodeCursor(last.user) } : { items }
      })
    )
  }

  // Statements of ingestion, one shape per dialect: arrays through `unnest`
  // in PostgreSQL, one JSON document through `json_each` in SQLite. Either
  // way one prepared statement serves every chunk.
  const resolveCustomers = (users: ReadonlyArray<string>) =>
    (isPg
      ? sql`SELECT id, user_name FROM customers WHERE user_name = ANY(${users}::text[])`
      : sql`SELECT id, user_name FROM customers WHERE user_name IN (SELECT value FROM json_each(${JSON.stringify(users)}))`
    ).pipe(Effect.flatMap(decodeCustomerIds))

  const insertEvents = (events: ReadonlyArray<Pending>) =>
    (isPg
      ? sql`INSERT INTO usage_events (id, customer_id, requests, credits, occurred_at, day)
          SELECT * FROM unnest(${events.map((e) => e.id)}::text[], ${events.map((e) => e.customerId)}::integer[],
            ${events.map((e) => BigInt(e.requests))}::bigint[], ${events.map((e) => BigInt(e.credits))}::bigint[],
            ${events.map((e) => BigInt(e.at))}::bigint[], ${events.map((e) => e.day)}::date[])
          ON CONFLICT (id) DO NOTHING RETURNING id`
      : sql`INSERT INTO usage_events (id, customer_id, requests, credits, occurred_at, day)
          SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5
          FROM json_each(${JSON.stringify(events.map((e) => [e.id, e.customerId, e.requests, e.credits, e.at, e.day]))})
          WHERE true
          ON CONFLICT (id) DO NOTHING RETURNING id`
    ).pipe(Effect.flatMap(decodeIds))

  const storedEvents = (ids: ReadonlyArray<string>) =>
    (isPg
      ? sql`SELECT id, customer_id, requests, credits, occurred_at FROM usage_events WHERE id = ANY(${ids}::text[])`
      : sql`SELECT id, customer_id, requests, credits, occurred_at FROM usage_events
          WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`
    ).pipe(Effect.flatMap(decodeStoredEvents))

  interface Daily {
    readonly customerId: number
    readonly day: string
    requests: number
    credits: number
  }

  const addDaily = (rows: ReadonlyArray<Daily>) =>
    isPg
      ? sql`INSERT INTO usage_daily (customer_id, day, requests, credits)
          SELECT * FROM unnest(${rows.map((r) => r.customerId)}::integer[], ${rows.map((r) => r.day)}::date[],
            ${rows.map((r) => BigInt(r.requests))}::bigint[], ${rows.map((r) => BigInt(r.credits))}::bigint[])
          ON CONFLICT (customer_id, day) DO UPDATE SET requests = usage_daily.requests + excluded.requests,
            credits = usage_daily.credits + excluded.credits`
      : sql`INSERT INTO usage_daily (customer_id, day, requests, credits)
          SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3
          FROM json_each(${JSON.stringify(rows.map((r) => [r.customerId, r.day, r.requests, r.credits]))})
          WHERE true
          ON CONFLICT (customer_id, day) DO UPDATE SET requests = usage_daily.requests + excluded.requests,
            credits = usage_daily.credits + excluded.credits`

  /** Inserts the first occurrence of each id; answers the ids this transaction inserted and the others as stored. */
  const write = (unique: ReadonlyArray<Pending>) =>
    Effect.gen(function* () {
      const inserted = new Set<string>()
      for (const chunk of chunks(unique, chunkSize)) {
        for (const row of yield* insertEvents(chunk)) inserted.add(row.id)
      }
      const stored = new Map<string, StoredEvent>()
      const others = unique.filter((e) => !inserted.has(e.id)).map((e) => e.id)
      for (const chunk of chunks(others, chunkSize)) {
        for (const row of yield* storedEvents(chunk)) {
          stored.set(row.id, {
            customerId: row.customer_id,
            requests: row.requests,
            credits: row.credits,
            at: row.occurred_at
          })
        }
      }
      const daily = new Map<string, Daily>()
      for (const e of unique) {
        if (!inserted.has(e.id)) continue
        const key = `${e.customerId} ${e.day}`
        const row = daily.get(key)
        if (row === undefined)
          daily.set(key, { customerId: e.customerId, day: e.day, requests: e.requests, credits: e.credits })
        else {
          row.requests += e.requests
          row.credits += e.credits
        }
      }
      // One lock order for every writer: rows by (customer, day).
      const rollup = [...daily.values()].sort((a, b) =>
        a.customerId !== b.customerId ? a.customerId - b.customerId : a.day < b.day ? -1 : a.day > b.day ? 1 : 0
      )
      for (const chunk of chunks(rollup, chunkSize)) yield* addDaily(chunk)
      return { inserted, stored }
    })

  const ingest = (events: ReadonlyArray<UsageEvent>) =>
    Effect.gen(function* () {
      if (events.length === 0) return { accepted: 0, duplicates: [], conflicts: [] } satisfies IngestResult
      const problems: Array<EventProblem> = []
      const instants = new Array<number>(events.length)
      const users = new Set<string>()
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!
        const at = Date.parse(e.occurredAt)
        if (!Number.isFinite(at)) problems.push(problem(i, "occurredAt", "not an RFC 3339 timestamp"))
        if (!Number.isSafeInteger(e.requests) || e.requests < 0) {
          problems.push(problem(i, "requests", "not a non-negative integer"))
        }
        if (!Number.isSafeInteger(e.credits) || e.credits < 0) {
          problems.push(problem(i, "credits", "not a non-negative integer"))
        }
        instants[i] = at
        users.add(e.user)
      }
      const customerIds = new Map<string, number>()
      for (const chunk of chunks([...users], chunkSize)) {
        for (const row of yield* resolveCustomers(chunk)) customerIds.set(row.user_name, row.id)
      }
      for (let i = 0; i < events.length; i++) {
        const user = events[i]!.user
        if (!customerIds.has(user)) problems.push(problem(i, "user", `no customer ${JSON.stringify(user)}`))
      }
      if (problems.length > 0) {
        return yield* new LedgerRejected({ problems: problems.sort((a, b) => a.index - b.index) })
      }

      const pending = new Array<Pending>(events.length)
      const firstIndex = new Map<string, number>()
      const unique: Array<Pending> = []
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!
        const at = instants[i]!
        const p: Pending = {
          index: i,
          id: e.id,
          customerId: customerIds.get(e.user)!,
          requests: e.requests,
          credits: e.credits,
          at,
          day: calendarDateFromEpochMillis(at)
        }
        pending[i] = p
        if (!firstIndex.has(e.id)) {
          firstIndex.set(e.id, i)
          unique.push(p)
        }
      }
      // One lock order for every writer: events by id.
      unique.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))

      const { inserted, stored } = yield* sql
        .withTransaction(write(unique))
        .pipe(Effect.retry({ times: 3, while: isTransient }))

      const outcome = new Array<"new" | "duplicate" | "conflict">(events.length)
      const duplicates: Array<string> = []
      const conflicts: Array<string> = []
      for (let i = 0; i < events.length; i++) {
        const p = pending[i]!
        const first = firstIndex.get(p.id)!
        let result: "new" | "duplicate" | "conflict"
        if (first === i) {
          if (inserted.has(p.id)) result = "new"
          else {
            const s = stored.get(p.id)
            result = s !== undefined && sameContent(s, p) ? "duplicate" : "conflict"
          }
        } else {
          result = !sameContent(pending[first]!, p) || outcome[first] === "conflict" ? "conflict" : "duplicate"
        }
        outcome[i] = result
        if (result === "duplicate") duplicates.push(p.id)
        else if (result === "conflict") conflicts.push(p.id)
      }
      return { accepted: inserted.size, duplicates, conflicts } satisfies IngestResult
    })

  const ping = () => Effect.asVoid(sql`SELECT 1`)

  return {
    overviewSource: hot.overviewSource,
    overviewReading: hot.overviewReading,
    usageBetween: hot.usageBetween,
    upsertPackage: (pkg) =>
      upsertPackage(pkg).pipe(Rows.storeFailure("Ledger.upsertPackage"), Effect.withSpan("Ledger.upsertPackage")),
    listPackages: () =>
      listPackages().pipe(Rows.storeFailure("Ledger.listPackages"), Effect.withSpan("Ledger.listPackages")),
    upsertReseller: (apiUser, apiKey) =>
      upsertReseller(apiUser, apiKey).pipe(
        Rows.storeFailure("Ledger.upsertReseller"),
        Effect.withSpan("Ledger.upsertReseller")
      ),
    getReseller: (apiUser) =>
      getReseller(apiUser).pipe(Rows.storeFailure("Ledger.getReseller"), Effect.withSpan("Ledger.getReseller")),
    upsertCustomer: (customer) =>
      upsertCustomer(customer).pipe(
        Rows.storeFailure("Ledger.upsertCustomer"),
        Effect.withSpan("Ledger.upsertCustomer")
      ),
    getCustomer: (user) =>
      getCustomer(user).pipe(Rows.storeFailure("Ledger.getCustomer"), Effect.withSpan("Ledger.getCustomer")),
    listCustomers: (options) =>
      listCustomers(options).pipe(Rows.storeFailure("Ledger.listCustomers"), Effect.withSpan("Ledger.listCustomers")),
    ingest: (events) => ingest(events).pipe(Rows.storeFailure("Ledger.ingest"), Effect.withSpan("Ledger.ingest")),
    ping: () => ping().pipe(Rows.storeFailure("Ledger.ping"), Effect.withSpan("Ledger.ping"))
  }
})
