import type { UsageEvent } from "@account-overview/core"
import { assert, layer } from "@effect/vitest"
import { Effect, Stream } from "effect"
import {
  AbortedError,
  AuthenticationError,
  ConfigurationError,
  createClient,
  createOperatorClient,
  type IngestProgress,
  InvalidRequestError,
  NotFoundError,
  OperatorClient
} from "../../src/index.js"
import { adminToken, baseUrl, serviceLayer } from "./service.js"

const now = () => new Date().toISOString()

const events = (prefix: string, count: number, user: string): Array<UsageEvent> =>
  Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    user,
    requests: 1,
    credits: 1,
    occurredAt: now()
  }))

const promise = <A>(f: () => Promise<A>) => Effect.promise(f)
const failure = (f: () => Promise<unknown>) =>
  Effect.promise(() =>
    f().then(
      () => undefined,
      (e: unknown) => e
    )
  )

layer(serviceLayer, { timeout: 120_000, excludeTestServices: true })(
  "the operator client against the microservice",
  (it) => {
    it.effect(
      "packages, resellers, customers and their overviews",
      () =>
        Effect.gen(function* () {
          const url = yield* baseUrl
          const operator = createOperatorClient({ baseUrl: url, adminToken, env: {} })
          const saved = yield* promise(() => operator.packages.set("Gold", { credits: 100_000, overagePrice: 0.0005 }))
          assert.deepStrictEqual(saved, { name: "Gold", credits: 100_000, overagePrice: 0.0005 })
          yield* promise(() => operator.packages.set("Bronze", { credits: 1_000 }))
          const packages = yield* promise(() => operator.packages.list())
          assert.includeMembers(
            packages.map((p) => p.name),
            ["Gold", "Bronze"]
          )

          const created = yield* promise(() => operator.resellers.set("initech"))
          assert.isTrue(created.created)
          assert.isString(created.apiKey)
          const updated = yield* promise(() => operator.resellers.set("initech", { apiKey: "initech-key-0123456789" }))
          assert.isFalse(updated.created)
          assert.isUndefined(updated.apiKey)
          const rotated = yield* promise(() => operator.resellers.rotateKey("initech"))
          assert.isString(rotated.apiKey)

          for (const user of ["a@initech.example", "b@initech.example", "c@initech.example"]) {
            const customer = yield* promise(() =>
              operator.customers.set(user, {
                reseller: "initech",
                package: "Gold",
                billingAnchor: "2020-01-01",
                reputation: 99
              })
            )
            assert.strictEqual(customer.user, user)
          }
          assert.strictEqual((yield* promise(() => operator.customers.get("b@initech.example"))).reseller, "initech")

          const first = yield* promise(() => operator.customers.list({ reseller: "initech", limit: 2 }))
          assert.strictEqual(first.items.length, 2)
          assert.isString(first.nextCursor)
          const second = yield* promise(() =>
            operator.customers.list({ reseller: "initech", limit: 2, cursor: first.nextCursor })
          )
          assert.deepStrictEqual([...first.items, ...second.items].map((c) => c.user).sort(), [
            "a@initech.example",
            "b@initech.example",
            "c@initech.example"
          ])

          const page = yield* promise(() => operator.resellers.overviews("initech", { date: "2024-02-29" }))
          assert.strictEqual(page.items.length, 3)
          const firstItem = page.items[0]!
          assert.strictEqual(
            "overview" in firstItem ? firstItem.overview.billingStartDate : firstItem.problem,
            "2024-02-01"
          )
          const overview = yield* promise(() =>
            operator.customers.overview("a@initech.example", { date: "2024-02-29" })
          )
          const listed = page.items.find((i) => i.user === "a@initech.example")!
          assert.deepStrictEqual(overview, "overview" in listed ? listed.overview : listed.problem)

          const client = createClient({ baseUrl: url, apiUser: "initech", apiKey: rotated.apiKey!, env: {} })
          assert.strictEqual((yield* promise(() => client.overview("a@initech.example"))).package, "Gold")
          yield* promise(() => client.close())
          yield* promise(() => operator.close())
        }),
      60_000
    )

    it.effect(
      "typed failures: 404, 400, 401, missing settings",
      () =>
        Effect.gen(function* () {
          const url = yield* baseUrl
          const operator = createOperatorClient({ baseUrl: url, adminToken, env: {} })
          const missing = yield* failure(() => operator.customers.get("nobody@example.com"))
          assert.instanceOf(missing, NotFoundError)
          assert.strictEqual((missing as NotFoundError).status, 404)
          assert.strictEqual((missing as NotFoundError).path, "/v1/customers/nobody%40example.com")
          const unknownPackage = yield* failure(() =>
            operator.customers.set("d@example.com", {
              reseller: "nobody",
              package: "None",
              billingAnchor: "2020-01-01",
              reputation: 1
            })
          )
          assert.instanceOf(unknownPackage, InvalidRequestError)
          const badInput = yield* failure(() => operator.packages.set("Bad", { credits: -5 }))
          assert.instanceOf(badInput, InvalidRequestError)
          const wrong = createOperatorClient({ baseUrl: url, adminToken: "not-the-token", env: {} })
          const refused = yield* failure(() => wrong.packages.list())
          assert.instanceOf(refused, AuthenticationError)
          assert.strictEqual((refused as AuthenticationError).status, 401)
          assert.notInclude(String(refused), "not-the-token")
          const noToken = yield* Effect.sync(() => {
            try {
              createOperatorClient({ baseUrl: url, env: {} })
            } catch (error) {
              return error
            }
          })
          assert.instanceOf(noToken, ConfigurationError)
          assert.include((noToken as Error).message, "ACCOUNT_OVERVIEW_ADMIN_TOKEN")
          yield* promise(() => operator.close())
        }),
      60_000
    )

    it.effect(
      "listAll and overviewsAll page through a real listing; withResponse gives the service's request id",
      () =>
        Effect.gen(function* () {
          const url = yield* baseUrl
          const operator = createOperatorClient({ baseUrl: url, adminToken, env: {} })
          yield* promise(() => operator.packages.set("Paged", { credits: 10 }))
          yield* promise(() => operator.resellers.set("pager", { apiKey: "pager-key-0123456789" }))
          const users = Array.from({ length: 7 }, (_, i) => `p${i}@pager.example`)
          for (const user of users) {
            yield* promise(() =>
              operator.customers.set(user, {
                reseller: "pager",
                package: "Paged",
                billingAnchor: "2024-01-31",
                reputation: 99
              })
            )
          }
          const listed = yield* promise(async () => {
            const all: Array<string> = []
            for await (const c of operator.customers.listAll({ reseller: "pager", limit: 3 })) all.push(c.user)
            return all
          })
          assert.sameMembers(listed, users)
          const overviews = yield* promise(async () => {
            const all: Array<string> = []
            for await (const item of operator.resellers.overviewsAll("pager", { limit: 2 })) all.push(item.user)
            return all
          })
          assert.sameMembers(overviews, users)
          const streamed = yield* Effect.flatMap(Effect.service(OperatorClient), (client) =>
            Stream.runCollect(client.customers.listAll({ reseller: "pager", limit: 4 }))
          ).pipe(Effect.provide(OperatorClient.layer({ baseUrl: url, adminToken, env: {} })))
          assert.sameMembers(
            streamed.map((c) => c.user),
            users
          )
          const { data, response } = yield* promise(() => operator.withResponse.customers.get(users[0]!))
          assert.strictEqual(data.user, users[0])
          assert.strictEqual(response.status, 200)
          assert.match(response.requestId ?? "", /^[0-9a-f-]{36}$/)
          assert.strictEqual(response.headers["x-request-id"], response.requestId)
          const missing = yield* failure(() => operator.customers.get("nobody@pager.example"))
          assert.instanceOf(missing, NotFoundError)
          assert.match((missing as NotFoundError).requestId ?? "", /^[0-9a-f-]{36}$/)
          yield* promise(() => operator.close())
        }),
      60_000
    )

    it.effect(
      "ingests any number of events in batches of 10,000, idempotently, reporting conflicts",
      () =>
        Effect.gen(function* () {
          const url = yield* baseUrl
          const operator = createOperatorClient({ baseUrl: url, adminToken, env: {} })
          yield* promise(() => operator.packages.set("Usage", { credits: 1_000_000 }))
          yield* promise(() => operator.resellers.set("umbrella", { apiKey: "umbrella-key-0123456789" }))
          yield* promise(() =>
            operator.customers.set("u@umbrella.example", {
              reseller: "umbrella",
              package: "Usage",
              billingAnchor: "2020-01-01",
              reputation: 90
            })
          )
          const all = events("bulk", 25_001, "u@umbrella.example")
          const progress: Array<IngestProgress> = []
          async function* stream() {
            yield* all
          }
          const summary = yield* promise(() => operator.ingest(stream(), { onBatch: (p) => progress.push(p) }))
          assert.deepStrictEqual(summary, {
            events: 25_001,
            accepted: 25_001,
            duplicates: 0,
            conflicts: [],
            batches: 3
          })
          assert.deepStrictEqual(
            progress.map((p) => [p.batch, p.events, p.totalEvents]),
            [
              [1, 10_000, 10_000],
              [2, 10_000, 20_000],
              [3, 5_001, 25_001]
            ]
          )

          const again = yield* promise(() => operator.ingest(all.slice(0, 5_000), { batchSize: 2_000 }))
          assert.deepStrictEqual(again, { events: 5_000, accepted: 0, duplicates: 5_000, conflicts: [], batches: 3 })

          const changed = { ...all[7]!, credits: 99 }
          const conflict = yield* promise(() => operator.ingest([changed, ...events("fresh", 2, "u@umbrella.example")]))
          assert.deepStrictEqual(conflict, { events: 3, accepted: 2, duplicates: 0, conflicts: ["bulk-7"], batches: 1 })

          const client = createClient({ baseUrl: url, apiUser: "umbrella", apiKey: "umbrella-key-0123456789", env: {} })
          assert.strictEqual((yield* promise(() => client.overview("u@umbrella.example"))).creditsUsed, 25_003)
          yield* promise(() => client.close())
          yield* promise(() => operator.close())
        }),
      60_000
    )

    it.effect(
      "voids events by id: the overview reads as if they were never sent; again is a duplicate; unknown is by index",
      () =>
        Effect.gen(function* () {
          const url = yield* baseUrl
          const operator = createOperatorClient({ baseUrl: url, adminToken, env: {} })
          yield* promise(() => operator.packages.set("Voids", { credits: 100 }))
          yield* promise(() => operator.resellers.set("voider", { apiKey: "voider-key-0123456789" }))
          yield* promise(() =>
            operator.customers.set("v@voider.example", {
              reseller: "voider",
              package: "Voids",
              billingAnchor: "2020-01-01",
              reputation: 90
            })
          )
          yield* promise(() => operator.ingest(events("void", 5, "v@voider.example")))
          assert.deepStrictEqual(yield* promise(() => operator.voidEvents(["void-1", "void-3"])), {
            voided: 2,
            duplicates: []
          })
          assert.deepStrictEqual(yield* promise(() => operator.voidEvents(["void-1"])), {
            voided: 0,
            duplicates: ["void-1"]
          })
          const unknown = yield* failure(() => operator.voidEvents(["void-2", "void-none"]))
          assert.instanceOf(unknown, InvalidRequestError)
          assert.deepStrictEqual(
            (unknown as InvalidRequestError).problems.map((p) => [p.index, p.field]),
            [[1, "id"]]
          )
          const overview = yield* promise(() => operator.customers.overview("v@voider.example"))
          assert.strictEqual(overview.creditsUsed, 3)
          const effectVoid = yield* Effect.gen(function* () {
            return yield* (yield* OperatorClient).voidEvents(["void-4"])
          }).pipe(Effect.provide(OperatorClient.layer({ baseUrl: url, adminToken, env: {} })))
          assert.deepStrictEqual(effectVoid, { voided: 1, duplicates: [] })
          yield* promise(() => operator.close())
        }),
      60_000
    )

    it.effect(
      "a refused batch reports its bad events by index in the whole stream; earlier batches stay stored",
      () =>
        Effect.gen(function* () {
          const url = yield* baseUrl
          const operator = createOperatorClient({ baseUrl: url, adminToken, env: {} })
          const good = events("partial", 25, "u@umbrella.example")
          const bad = [
            ...good.slice(0, 12),
            { ...good[12]!, credits: -1 },
            ...good.slice(13, 17),
            { ...good[17]!, occurredAt: "yesterday" },
            ...good.slice(18)
          ]
          const error = yield* failure(() => operator.ingest(bad, { batchSize: 10 }))
          assert.instanceOf(error, InvalidRequestError)
          assert.deepStrictEqual(
            (error as InvalidRequestError).problems.map((p) => [p.index, p.field]),
            [
              [12, "credits"],
              [17, "occurredAt"]
            ]
          )
          assert.include((error as InvalidRequestError).message, "events before index 10 were stored")
          const retried = yield* promise(() => operator.ingest(good.slice(0, 10)))
          assert.strictEqual(retried.duplicates, 10)
          yield* promise(() => operator.close())
        }),
      60_000
    )

    it.effect(
      "an abort stops an ingestion",
      () =>
        Effect.gen(function* () {
          const url = yield* baseUrl
          const operator = createOperatorClient({ baseUrl: url, adminToken, env: {} })
          const controller = new AbortController()
          async function* slow() {
            yield* events("aborted", 3, "u@umbrella.example")
            controller.abort()
            await new Promise((resolve) => setTimeout(resolve, 10_000))
          }
          const started = performance.now()
          const error = yield* failure(() => operator.ingest(slow(), { signal: controller.signal, batchSize: 2 }))
          assert.instanceOf(error, AbortedError)
          assert.isBelow(performance.now() - started, 2_000)
          yield* promise(() => operator.close())
        }),
      60_000
    )

    it.effect(
      "time zones, package changes, the history of cycles and the overage report (JSON and CSV)",
      () =>
        Effect.gen(function* () {
          const url = yield* baseUrl
          const operator = createOperatorClient({ baseUrl: url, adminToken, env: {} })
          yield* promise(() => operator.packages.set("Tz-small", { credits: 10, overagePrice: 0.5 }))
          yield* promise(() => operator.packages.set("Tz-large", { credits: 1000 }))
          yield* promise(() =>
            operator.resellers.set("tz-reseller", { apiKey: "tz-reseller-key-0123456789", timeZone: "Europe/London" })
          )
          const customer = yield* promise(() =>
            operator.customers.set("tz@example.com", {
              reseller: "tz-reseller",
              package: "Tz-small",
              billingAnchor: "2025-01-01",
              reputation: 100,
              timeZone: "Pacific/Auckland"
            })
          )
          assert.strictEqual(customer.timeZone, "Pacific/Auckland")
          const badZone = yield* failure(() =>
            operator.customers.set("tz@example.com", {
              reseller: "tz-reseller",
              package: "Tz-small",
              billingAnchor: "2025-01-01",
              reputation: 100,
              timeZone: "Mars/Olympus"
            })
          )
          assert.instanceOf(badZone, InvalidRequestError)
          yield* promise(() =>
            operator.ingest([
              { id: "tz-e1", user: "tz@example.com", requests: 1, credits: 15, occurredAt: "2025-03-31T12:30:00Z" }
            ])
          )
          const cycles = yield* promise(() =>
            operator.billing.cycles("tz@example.com", { from: "2025-03-01", to: "2025-04-15" })
          )
          assert.deepStrictEqual(
            cycles.items.map((c) => [c.start, c.creditsUsed]),
            [
              ["2025-03-01", 0],
              ["2025-04-01", 15]
            ]
          )
          const report = yield* promise(() =>
            operator.billing.resellerCycles("tz-reseller", { closedOn: "2025-05-01" })
          )
          assert.deepStrictEqual(
            report.items.map((l) => [l.user, l.creditsOverage, l.overageAmount]),
            [["tz@example.com", 5, 2.5]]
          )
          const csv = yield* promise(() =>
            operator.billing.resellerCyclesCsv("tz-reseller", { closedOn: "2025-05-01" })
          )
          assert.include(
            csv,
            "\r\ntz@example.com,Pacific/Auckland,2025-04-01,2025-04-30,2025-05-01,Tz-small,10,15,5,1,0.5,2.5\r\n"
          )
          const scheduled = yield* promise(() =>
            operator.billing.changePackage("tz@example.com", { package: "Tz-large", effective: "nextCycle" })
          )
          assert.strictEqual(scheduled.scheduled?.package, "Tz-large")
          const cancelled = yield* promise(() => operator.billing.cancelPackageChange("tz@example.com"))
          assert.isUndefined(cancelled.scheduled)
          const missing = yield* failure(() => operator.billing.cancelPackageChange("nobody@example.com"))
          assert.instanceOf(missing, NotFoundError)
          yield* promise(() => operator.close())
        }),
      60_000
    )

    it.effect(
      "the Effect service",
      () =>
        Effect.gen(function* () {
          const url = yield* baseUrl
          yield* Effect.gen(function* () {
            const operator = yield* OperatorClient
            const packages = yield* operator.packages.list()
            assert.isAbove(packages.length, 0)
            const missing = yield* Effect.flip(operator.customers.get("nobody@example.com"))
            assert.instanceOf(missing, NotFoundError)
          }).pipe(Effect.provide(OperatorClient.layer({ baseUrl: url, adminToken, env: {} })))
        }),
      60_000
    )
  }
)
