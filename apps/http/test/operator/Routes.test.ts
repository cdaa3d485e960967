import { randomBytes } from "node:crypto"
import { createServer } from "node:http"
import { AccountOverviews, maxEventCount, maxEventsPerBatch, maxNameLength } from "@account-overview/core"
import { Ledger } from "@account-overview/store"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { assert, describe, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Layer, Redacted } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import { OperatorRoutes, routerConfig } from "../../src/operator/Routes.js"
import { maxBatchBytes } from "../../src/operator/UsageBatch.js"
import { Settings } from "../../src/Settings.js"
import { call, makeEvents, ndjson, type TestEvent, todayUtc, totalsByUser } from "./http.js"
import { type StoreKind, storeKinds, storeLayer } from "./stores.js"

const token = randomBytes(24).toString("base64url")

const serverLayer = (kind: StoreKind, config: Record<string, string>) =>
  HttpRouter.serve(OperatorRoutes, { disableLogger: true, disableListenLog: true, routerConfig }).pipe(
    Layer.provideMerge(storeLayer(kind)),
    Layer.provide(Settings.layer),
    Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown(config))),
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0 }))
  )

const baseUrl = HttpServer.addressFormattedWith((url) => Effect.succeed(url))

const api = (method: string, path: string, json?: unknown) =>
  Effect.flatMap(baseUrl, (base) => call(base, method, path, json === undefined ? { token } : { token, json }))

const ok = (method: string, path: string, json?: unknown) =>
  Effect.tap(api(method, path, json), (answer) =>
    Effect.sync(() => assert.strictEqual(answer.status, 200, `${method} ${path}: ${answer.text}`))
  ).pipe(Effect.map((answer) => answer.body))

const post = (path: string, body: string, contentType: string) =>
  Effect.flatMap(baseUrl, (base) => call(base, "POST", path, { token, body, contentType }))

const fields = (problems: ReadonlyArray<{ index: number; field: string }>) =>
  problems.map((p) => `${p.index}:${p.field}`)

const wireOverview = (apiUser: string, apiKey: string, user: string) =>
  Effect.gen(function* () {
    const overviews = yield* AccountOverviews
    return yield* Effect.exit(overviews.overview({ apiUser, apiKey: Redacted.make(apiKey) }, user))
  })

/** A package, a reseller and customers anchored on the 1st, so that a cycle is a calendar month. */
const seed = (prefix: string, customers: number, reseller = `${prefix}-reseller`) =>
  Effect.gen(function* () {
    yield* ok("PUT", `/v1/packages/${prefix}-silver`, { credits: 50_000, overagePrice: 0.001 })
    yield* ok("PUT", `/v1/resellers/${reseller}`, { apiKey: `${prefix}-key-0123456789` })
    const users = Array.from({ length: customers }, (_, i) => `${prefix}-c${String(i).padStart(3, "0")}`)
    for (const user of users) {
      yield* ok("PUT", `/v1/customers/${user}`, {
        reseller,
        package: `${prefix}-silver`,
        billingAnchor: "2020-01-01",
        reputation: 99
      })
    }
    return users
  })

const checkTotals = (events: ReadonlyArray<TestEvent>, date: string) =>
  Effect.gen(function* () {
    for (const [user, totals] of totalsByUser(events)) {
      const overview = yield* ok("GET", `/v1/customers/${user}/overview?date=${date}`)
      assert.strictEqual(overview.creditsUsed, totals.credits, `credits of ${user}`)
      assert.strictEqual(overview.requests, totals.requests, `requests of ${user}`)
    }
  })

const suite = (kind: StoreKind) =>
  layer(serverLayer(kind, { ADMIN_TOKEN: token }), { timeout: 60_000, excludeTestServices: true })(
    `operator API over HTTP on ${kind} (operator/*.ts)`,
    (it) => {
      it.effect("refuses a missing or wrong bearer token with 401", () =>
        Effect.gen(function* () {
          const base = yield* baseUrl
          for (const options of [{}, { token: "wrong" }, { token: `${token}x` }, { authorization: `Basic ${token}` }]) {
            const answer = yield* call(base, "GET", "/v1/packages", options)
            assert.strictEqual(answer.status, 401)
            assert.strictEqual(answer.body._tag, "OperatorUnauthorized")
            assert.notInclude(answer.text, token)
          }
          const wrongWrite = yield* call(base, "PUT", "/v1/packages/intruder", { token: "nope", json: { credits: 1 } })
          assert.strictEqual(wrongWrite.status, 401)
          const badAndAnonymous = yield* call(base, "PUT", "/v1/packages/intruder", { json: { credits: -1 } })
          assert.strictEqual(badAndAnonymous.status, 401, "the token is checked before the body")
          const bigAndAnonymous = yield* call(base, "POST", "/v1/usage", { body: "x".repeat(maxBatchBytes + 1) })
          assert.strictEqual(bigAndAnonymous.status, 401, "the body of an unauthorised batch is not read")
          const packages = yield* ok("GET", "/v1/packages")
          assert.isFalse(packages.some((p: { name: string }) => p.name === "intruder"))
        })
      )

      it.effect("upserts and lists packages idempotently; a bad body answers 400 naming the field", () =>
        Effect.gen(function* () {
          const first = yield* ok("PUT", "/v1/packages/pk-gold", { credits: 100_000, overagePrice: 0.0005 })
          assert.deepStrictEqual(first, { name: "pk-gold", credits: 100_000, overagePrice: 0.0005 })
          assert.deepStrictEqual(
            yield* ok("PUT", "/v1/packages/pk-gold", { credits: 100_000, overagePrice: 0.0005 }),
            first
          )
          yield* ok("PUT", "/v1/packages/pk-free", { credits: 10 })
          const listed = (yield* ok("GET", "/v1/packages")).filter((p: { name: string }) => p.name.startsWith("pk-"))
          assert.deepStrictEqual(listed, [{ name: "pk-free", credits: 10 }, first])

          const bad = yield* api("PUT", "/v1/packages/pk-bad", { credits: -5, overagePrice: "cheap" })
          assert.strictEqual(bad.status, 400)
          assert.strictEqual(bad.body._tag, "OperatorInvalid")
          assert.deepStrictEqual(fields(bad.body.problems), ["0:credits", "0:overagePrice"])
          const badName = yield* api("PUT", "/v1/packages/%20padded", { credits: 1 })
          assert.strictEqual(badName.status, 400)
          assert.deepStrictEqual(fields(badName.body.problems), ["0:name"])
          const notJson = yield* Effect.flatMap(baseUrl, (base) =>
            call(base, "PUT", "/v1/packages/pk-x", { token, body: "{", contentType: "application/json" })
          )
          assert.strictEqual(notJson.status, 400)
          assert.strictEqual(notJson.body._tag, "OperatorInvalid")
        })
      )

      it.effect("a PUT of another spelling addresses the same customer and reseller: one record per name", () =>
        Effect.gen(function* () {
          yield* ok("PUT", "/v1/packages/ci-silver", { credits: 50_000 })
          yield* ok("PUT", "/v1/resellers/CI-Reseller", { apiKey: "ci-key-0123456789" })
          assert.deepStrictEqual(yield* ok("PUT", "/v1/resellers/ci-reseller", { apiKey: "ci-key-0123456789" }), {
            apiUser: "ci-reseller",
            created: false
          })
          const customer = { reseller: "ci-reseller", package: "ci-silver", billingAnchor: "2020-01-01" }
          yield* ok("PUT", "/v1/customers/Customer@CI.Example.COM", { ...customer, reputation: 99 })
          yield* ok("PUT", "/v1/customers/customer@ci.example.com", { ...customer, reputation: 42 })
          const found = yield* ok("GET", "/v1/customers/CUSTOMER@ci.example.com")
          assert.strictEqual(found.user, "Customer@CI.Example.COM")
          assert.strictEqual(found.reputation, 42)
          const listed = yield* ok("GET", "/v1/customers?reseller=ci-RESELLER")
          assert.deepStrictEqual(
            listed.items.map((c: { user: string }) => c.user),
            ["Customer@CI.Example.COM"]
          )
          assert.isTrue(
            Exit.isSuccess(yield* wireOverview("CI-RESELLER", "ci-key-0123456789", "customer@ci.example.com"))
          )
        })
      )

      it.effect("creates a reseller with a generated key shown once; the key works; rotation retires it", () =>
        Effect.gen(function* () {
          yield* seed("rk", 1, "rk-reseller-given")
          const early = yield* api("PUT", "/v1/customers/rk-gen-customer", {
            reseller: "rk-gen",
            package: "rk-silver",
            billingAnchor: "2020-01-01",
            reputation: 80
          })
          assert.strictEqual(early.status, 400)

          const created = yield* ok("PUT", "/v1/resellers/rk-gen", {})
          assert.strictEqual(created.created, true)
          // A generated key names its reseller: ao_<api_user in base64url>.<32 random bytes>.
          assert.match(created.apiKey, /^ao_cmstZ2Vu\.[A-Za-z0-9_-]{43}$/)
          const again = yield* ok("PUT", "/v1/resellers/rk-gen", {})
          assert.deepStrictEqual(again, { apiUser: "rk-gen", created: false })

          yield* ok("PUT", "/v1/customers/rk-gen-customer", {
            reseller: "rk-gen",
            package: "rk-silver",
            billingAnchor: "2020-01-01",
            reputation: 80
          })
          assert.isTrue(Exit.isSuccess(yield* wireOverview("rk-gen", created.apiKey, "rk-gen-customer")))

          const rotated = yield* ok("POST", "/v1/resellers/rk-gen/rotate-key")
          assert.strictEqual(rotated.apiUser, "rk-gen")
          assert.notStrictEqual(rotated.apiKey, created.apiKey)
          const old = yield* wireOverview("rk-gen", created.apiKey, "rk-gen-customer")
          assert.isTrue(Exit.isFailure(old))
          assert.include(String(Exit.isFailure(old) ? old.cause : ""), "AuthenticationFailed")
          assert.isTrue(Exit.isSuccess(yield* wireOverview("rk-gen", rotated.apiKey, "rk-gen-customer")))

          const given = yield* ok("PUT", "/v1/resellers/rk-given", { apiKey: "a-key-the-operator-chose" })
          assert.deepStrictEqual(given, { apiUser: "rk-given", created: true })
          const secret = `${"s".repeat(600)}-secret`
          const tooLong = yield* api("PUT", "/v1/resellers/rk-given", { apiKey: secret })
          assert.strictEqual(tooLong.status, 400)
          assert.deepStrictEqual(fields(tooLong.body.problems), ["0:apiKey"])
          assert.notInclude(tooLong.text, "secret")

          const missing = yield* api("POST", "/v1/resellers/rk-nobody/rotate-key")
          assert.strictEqual(missing.status, 404)
          assert.strictEqual(missing.body._tag, "OperatorNotFound")
        })
      )

      it.effect("upserts customers; unknown reseller or package answers 400 naming each field", () =>
        Effect.gen(function* () {
          yield* seed("cu", 0)
          const customer = {
            reseller: "cu-reseller",
            package: "cu-silver",
            billingAnchor: "2024-01-31",
            reputation: 97.5
          }
          const stored = yield* ok("PUT", "/v1/customers/cu-alice", customer)
          assert.deepStrictEqual(stored, { user: "cu-alice", ...customer })
          assert.deepStrictEqual(yield* ok("PUT", "/v1/customers/cu-alice", customer), stored)
          assert.deepStrictEqual(yield* ok("GET", "/v1/customers/cu-alice"), stored)
          const moved = yield* ok("PUT", "/v1/customers/cu-alice", { ...customer, reputation: 50 })
          assert.strictEqual(moved.reputation, 50)

          const unknown = yield* api("PUT", "/v1/customers/cu-bob", {
            ...customer,
            reseller: "nobody",
            package: "nothing"
          })
          assert.strictEqual(unknown.status, 400)
          assert.sameMembers(
            unknown.body.problems.map((p: { field: string }) => p.field),
            ["reseller", "package"]
          )
          assert.strictEqual((yield* api("GET", "/v1/customers/cu-bob")).status, 404)

          const bad = yield* api("PUT", "/v1/customers/cu-bob", {
            ...customer,
            billingAnchor: "2024-02-30",
            reputation: 101
          })
          assert.strictEqual(bad.status, 400)
          assert.sameMembers(
            bad.body.problems.map((p: { field: string }) => p.field),
            ["billingAnchor", "reputation"]
          )
          const notFound = yield* api("GET", "/v1/customers/cu-nobody")
          assert.strictEqual(notFound.status, 404)
          assert.strictEqual(notFound.body._tag, "OperatorNotFound")
        })
      )

      it.effect("pages through customers, by reseller or all", () =>
        Effect.gen(function* () {
          const mine = yield* seed("pg", 23)
          yield* seed("ph", 4)
          const seen: Array<string> = []
          let cursor: string | undefined
          let pages = 0
          do {
            const query = `reseller=pg-reseller&limit=10${cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`}`
            const page = yield* ok("GET", `/v1/customers?${query}`)
            assert.isAtMost(page.items.length, 10)
            seen.push(...page.items.map((c: { user: string }) => c.user))
            cursor = page.nextCursor
            pages++
          } while (cursor !== undefined && pages < 10)
          assert.deepStrictEqual(seen, mine)
          assert.strictEqual(pages, 3)

          const all = yield* ok("GET", "/v1/customers?limit=1000")
          const users = all.items.map((c: { user: string }) => c.user)
          assert.includeMembers(users, [...mine, "ph-c000"])
          assert.deepStrictEqual(users, [...users].sort())

          for (const query of ["limit=0", "limit=1001", "limit=ten"]) {
            const bad = yield* api("GET", `/v1/customers?${query}`)
            assert.strictEqual(bad.status, 400, query)
            assert.deepStrictEqual(fields(bad.body.problems), ["0:limit"])
          }
        })
      )

      it.effect("ingests JSON and NDJSON; the overview totals equal the sum of accepted events", () =>
        Effect.gen(function* () {
          const users = yield* seed("in", 5)
          const today = todayUtc()
          const json = makeEvents("in-a", 300, users, today)
          const first = yield* ok("POST", "/v1/usage", json)
          assert.deepStrictEqual(first, { accepted: 300, duplicates: [], conflicts: [] })
          const lines = makeEvents("in-b", 200, users, today)
          const second = yield* post("/v1/usage", `${ndjson(lines)}\n`, "application/x-ndjson")
          assert.strictEqual(second.status, 200, second.text)
          assert.deepStrictEqual(second.body, { accepted: 200, duplicates: [], conflicts: [] })
          yield* checkTotals([...json, ...lines], today)
          const overview = yield* ok("GET", `/v1/customers/${users[0]}/overview`)
          assert.strictEqual(overview.creditsUsed, totalsByUser([...json, ...lines]).get(users[0]!)!.credits)
          assert.strictEqual(overview.creditsAllowed, 50_000)
          assert.strictEqual(overview.package, "in-silver")
          assert.strictEqual(overview.billingStartDate, `${today.slice(0, 8)}01`)

          const empty = yield* ok("POST", "/v1/usage", [])
          assert.deepStrictEqual(empty, { accepted: 0, duplicates: [], conflicts: [] })
        })
      )

      it.effect("replays a 10,000-event batch as 10,000 duplicates, counted once", () =>
        Effect.gen(function* () {
          const users = yield* seed("rp", 20)
          const today = todayUtc()
          const events = makeEvents("rp", maxEventsPerBatch, users, today)
          const first = yield* ok("POST", "/v1/usage", events)
          assert.strictEqual(first.accepted, maxEventsPerBatch)
          assert.deepStrictEqual([first.duplicates.length, first.conflicts.length], [0, 0])
          const replay = yield* post("/v1/usage", ndjson(events), "application/x-ndjson")
          assert.strictEqual(replay.status, 200)
          assert.strictEqual(replay.body.accepted, 0)
          assert.strictEqual(replay.body.duplicates.length, maxEventsPerBatch)
          assert.sameMembers(
            replay.body.duplicates,
            events.map((e) => e.id)
          )
          assert.deepStrictEqual(replay.body.conflicts, [])
          yield* checkTotals(events, today)
        })
      )

      it.effect("reports the same id with other content as a conflict and does not store it", () =>
        Effect.gen(function* () {
          const users = yield* seed("cf", 2)
          const today = todayUtc()
          const events = makeEvents("cf", 10, users, today)
          yield* ok("POST", "/v1/usage", events)
          const changed = { ...events[3]!, credits: events[3]!.credits + 100 }
          const fresh = makeEvents("cf-new", 2, users, today)
          const answer = yield* ok("POST", "/v1/usage", [events[2], changed, ...fresh])
          assert.deepStrictEqual(answer, { accepted: 2, duplicates: [events[2]!.id], conflicts: [changed.id] })
          const inBatch = yield* ok("POST", "/v1/usage", [
            { ...fresh[0]!, id: "cf-twice" },
            { ...fresh[0]!, id: "cf-twice", credits: 999 }
          ])
          assert.deepStrictEqual(inBatch.conflicts, ["cf-twice"])
          assert.strictEqual(inBatch.accepted, 1)
          yield* checkTotals([...events, ...fresh, { ...fresh[0]!, id: "cf-twice" }], today)
        })
      )

      it.effect("refuses a batch with bad events whole, listing every bad event by index and field", () =>
        Effect.gen(function* () {
          const users = yield* seed("bd", 2)
          const today = todayUtc()
          const good = makeEvents("bd", 4, users, today)
          const batch: Array<unknown> = [
            good[0],
            { ...good[1], user: "bd-stranger" },
            { ...good[2], requests: -1, credits: 2.5 },
            { ...good[3], occurredAt: "yesterday" },
            { user: users[0], requests: 1, credits: 1, occurredAt: `${today}T00:00:00Z` },
            good[3]
          ]
          const answer = yield* api("POST", "/v1/usage", batch)
          assert.strictEqual(answer.status, 400)
          assert.strictEqual(answer.body._tag, "OperatorInvalid")
          assert.deepStrictEqual(fields(answer.body.problems), [
            "1:user",
            "2:requests",
            "2:credits",
            "3:occurredAt",
            "4:id"
          ])
          // An unknown customer reads the same beside bad events as alone (below): one wording, from the store.
          assert.strictEqual(answer.body.problems[0].message, 'no customer "bd-stranger"')
          assert.strictEqual(answer.body.message, "4 events of the batch are invalid; nothing was stored")
          const lines = [JSON.stringify(good[0]), "{oops", JSON.stringify({ ...good[1], credits: -3 })].join("\n")
          const nd = yield* post("/v1/usage", lines, "application/x-ndjson")
          assert.strictEqual(nd.status, 400)
          assert.deepStrictEqual(fields(nd.body.problems), ["1:", "2:credits"])

          // Nothing of either batch was stored: the good events are new now.
          const later = yield* ok("POST", "/v1/usage", [good[0], good[3]])
          assert.strictEqual(later.accepted, 2)
          yield* checkTotals([good[0]!, good[3]!], today)

          const wrongType = yield* post("/v1/usage", "a,b", "text/csv")
          assert.strictEqual(wrongType.status, 400)
          assert.deepStrictEqual(fields(wrongType.body.problems), ["-1:content-type"])
          const notArray = yield* post("/v1/usage", JSON.stringify(good[0]), "application/json")
          assert.strictEqual(notArray.status, 400)
        })
      )

      it.effect("answers 413 past 10,000 events or past the byte limit, storing nothing", () =>
        Effect.gen(function* () {
          const users = yield* seed("big", 2)
          const today = todayUtc()
          const events = makeEvents("big", maxEventsPerBatch + 1, users, today)
          const many = yield* api("POST", "/v1/usage", events)
          assert.strictEqual(many.status, 413)
          assert.strictEqual(many.body._tag, "OperatorBatchTooLarge")
          assert.strictEqual(many.body.limit, maxEventsPerBatch)
          const manyLines = yield* post("/v1/usage", ndjson(events), "application/x-ndjson")
          assert.strictEqual(manyLines.status, 413)

          const padding = "x".repeat(Math.ceil(maxBatchBytes / 100))
          const heavy = makeEvents("big-heavy", 100, users, today).map((e) => ({ ...e, padding }))
          const bytes = yield* api("POST", "/v1/usage", heavy)
          assert.strictEqual(bytes.status, 413)
          assert.strictEqual(bytes.body.limit, maxBatchBytes)

          // Without Content-Length (chunked), the cap applies while reading.
          const base = yield* baseUrl
          const chunk = new TextEncoder().encode(`${JSON.stringify({ ...events[0], padding })}\n`)
          const chunks = Math.ceil(maxBatchBytes / chunk.length) + 1
          const chunked = yield* Effect.promise(async () => {
            let sent = 0
            const body = new ReadableStream<Uint8Array>({
              pull(controller) {
                if (sent++ < chunks) controller.enqueue(chunk)
                else controller.close()
              }
            })
            const response = await fetch(`${base}/v1/usage`, {
              method: "POST",
              headers: { authorization: `Bearer ${token}`, "content-type": "application/x-ndjson" },
              body,
              duplex: "half"
            } as RequestInit)
            return { status: response.status, body: await response.json() }
          })
          assert.strictEqual(chunked.status, 413)
          assert.strictEqual(chunked.body.limit, maxBatchBytes)

          const afterwards = yield* ok("POST", "/v1/usage", events.slice(0, 10))
          assert.strictEqual(afterwards.accepted, 10)
        })
      )

      it.effect("counts backfilled events in their own past cycle", () =>
        Effect.gen(function* () {
          const users = yield* seed("bf", 1)
          const user = users[0]!
          const past = makeEvents("bf-past", 40, users, "2021-03-17")
          const now = makeEvents("bf-now", 5, users, todayUtc())
          yield* ok("POST", "/v1/usage", [...past, ...now])
          const then = yield* ok("GET", `/v1/customers/${user}/overview?date=2021-03-02`)
          assert.strictEqual(then.billingStartDate, "2021-03-01")
          assert.strictEqual(then.billingEndDate, "2021-03-31")
          assert.strictEqual(then.billingProcessDate, "2021-04-01")
          assert.strictEqual(then.creditsUsed, totalsByUser(past).get(user)!.credits)
          const before = yield* ok("GET", `/v1/customers/${user}/overview?date=2021-02-28`)
          assert.strictEqual(before.creditsUsed, 0)
          const current = yield* ok("GET", `/v1/customers/${user}/overview`)
          assert.strictEqual(current.creditsUsed, totalsByUser(now).get(user)!.credits)

          const badDate = yield* api("GET", `/v1/customers/${user}/overview?date=2021-02-29`)
          assert.strictEqual(badDate.status, 400)
          assert.deepStrictEqual(fields(badDate.body.problems), ["0:date"])
          assert.strictEqual((yield* api("GET", "/v1/customers/bf-nobody/overview")).status, 404)
        })
      )

      it.effect("pages through the overviews of a reseller's customers", () =>
        Effect.gen(function* () {
          const users = yield* seed("ov", 7)
          const events = makeEvents("ov", 70, users, "2022-06-10")
          yield* ok("POST", "/v1/usage", events)
          const totals = totalsByUser(events)
          const seen: Array<string> = []
          let cursor: string | undefined
          do {
            const query = `date=2022-06-30&limit=3${cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`}`
            const page = yield* ok("GET", `/v1/resellers/ov-reseller/overviews?${query}`)
            for (const item of page.items) {
              seen.push(item.user)
              assert.strictEqual(item.overview.creditsUsed, totals.get(item.user)!.credits)
              assert.strictEqual(item.overview.billingStartDate, "2022-06-01")
            }
            cursor = page.nextCursor
          } while (cursor !== undefined)
          assert.deepStrictEqual(seen, users)
          const missing = yield* api("GET", "/v1/resellers/ov-nobody/overviews")
          assert.strictEqual(missing.status, 404)
        })
      )

      it.effect("serves the OpenAPI document and the docs page", () =>
        Effect.gen(function* () {
          const base = yield* baseUrl
          const spec = yield* call(base, "GET", "/openapi.json")
          assert.strictEqual(spec.status, 200)
          assert.property(spec.body.paths, "/v1/usage")
          assert.property(spec.body.components.securitySchemes, "bearer")
          const docs = yield* call(base, "GET", "/docs")
          assert.strictEqual(docs.status, 200)
          assert.include(docs.headers.get("content-type") ?? "", "text/html")
        })
      )

      it.effect("stores nothing for a batch whose customers the store does not know", () =>
        Effect.gen(function* () {
          const users = yield* seed("uk", 1)
          const events = makeEvents("uk", 3, [...users, "uk-ghost"], todayUtc())
          const answer = yield* api("POST", "/v1/usage", events)
          assert.strictEqual(answer.status, 400)
          assert.deepStrictEqual(fields(answer.body.problems), ["1:user"])
          assert.strictEqual(answer.body.problems[0].message, 'no customer "uk-ghost"')
          const ledger = yield* Ledger
          assert.strictEqual(
            (yield* ledger.usageBetween(users[0]!, todayUtc() as never, todayUtc() as never)).credits,
            0
          )
        })
      )

      it.effect("names of 101 to 255 characters work in every operator path; 256 is a 400 naming the field", () =>
        Effect.gen(function* () {
          // Each name carries characters that are percent-encoded in a path, so its path form is longer still.
          const nameOf = (kind: string, length: number) => {
            const head = `nl-${kind}-${length}-é/+ `
            return head + "n".repeat(length - head.length)
          }
          const enc = encodeURIComponent
          for (const length of [101, 200, maxNameLength]) {
            const [pkg, reseller, user] = [nameOf("p", length), nameOf("r", length), nameOf("u", length)]
            assert.strictEqual(user.length, length)
            yield* ok("PUT", `/v1/packages/${enc(pkg)}`, { credits: 10 })
            yield* ok("PUT", `/v1/resellers/${enc(reseller)}`, { apiKey: `nl-key-${length}-0123456789` })
            yield* ok("POST", `/v1/resellers/${enc(reseller)}/rotate-key`)
            const customer = { reseller, package: pkg, billingAnchor: "2020-01-01", reputation: 50 }
            assert.strictEqual((yield* ok("PUT", `/v1/customers/${enc(user)}`, customer)).user, user)
            assert.strictEqual((yield* ok("GET", `/v1/customers/${enc(user)}`)).user, user)
            assert.strictEqual((yield* ok("GET", `/v1/customers/${enc(user)}/overview`)).creditsAllowed, 10)
            const page = yield* ok("GET", `/v1/resellers/${enc(reseller)}/overviews`)
            assert.deepStrictEqual(
              page.items.map((i: { user: string }) => i.user),
              [user]
            )
            const listed = yield* ok("GET", `/v1/customers?reseller=${enc(reseller)}`)
            assert.strictEqual(listed.items.length, 1)
          }
          const long = nameOf("x", maxNameLength + 1)
          for (const [method, path, field, body] of [
            ["PUT", `/v1/packages/${enc(long)}`, "name", { credits: 1 }],
            ["PUT", `/v1/resellers/${enc(long)}`, "apiUser", {}],
            ["POST", `/v1/resellers/${enc(long)}/rotate-key`, "apiUser", undefined],
            ["GET", `/v1/resellers/${enc(long)}/overviews`, "apiUser", undefined],
            [
              "PUT",
              `/v1/customers/${enc(long)}`,
              "user",
              { reseller: "r", package: "p", billingAnchor: "2020-01-01", reputation: 1 }
            ],
            ["GET", `/v1/customers/${enc(long)}`, "user", undefined],
            ["GET", `/v1/customers/${enc(long)}/overview`, "user", undefined]
          ] as const) {
            const answer = yield* api(method, path, body)
            assert.strictEqual(answer.status, 400, `${method} ${path.slice(0, 40)}: ${answer.text}`)
            assert.strictEqual(answer.body._tag, "OperatorInvalid")
            assert.deepStrictEqual(fields(answer.body.problems), [`0:${field}`], `${method} ${path.slice(0, 40)}`)
          }
        })
      )

      it.effect("refuses an event past maxEventCount (2^53-1 included) with a 400 naming the field", () =>
        Effect.gen(function* () {
          const users = yield* seed("big", 1)
          const events = makeEvents("big", 3, users, "2022-06-10")
          const answer = yield* api("POST", "/v1/usage", [
            events[0],
            { ...events[1]!, credits: 2 ** 53 - 1 },
            { ...events[2]!, requests: maxEventCount + 1 }
          ])
          assert.strictEqual(answer.status, 400)
          assert.deepStrictEqual(fields(answer.body.problems), ["1:credits", "2:requests"])
          assert.include(answer.body.problems[0].message, String(maxEventCount))
          yield* checkTotals([], "2022-06-30")
          const overview = yield* ok("GET", `/v1/customers/${users[0]}/overview?date=2022-06-30`)
          assert.strictEqual(overview.creditsUsed, 0)
        })
      )

      it.effect("voids events by id: every cycle's overview reads as if they were never sent", () =>
        Effect.gen(function* () {
          const [voided, control] = yield* seed("vd", 2)
          const sent = (user: string, tag: string) => [
            ...makeEvents(`vd-${tag}-jun`, 5, [user], "2022-06-10"),
            ...makeEvents(`vd-${tag}-jul`, 5, [user], "2022-07-10")
          ]
          const toVoid = ["vd-v-jun-1", "vd-v-jul-3", "vd-v-jul-4"]
          yield* ok("POST", "/v1/usage", sent(voided!, "v"))
          yield* ok(
            "POST",
            "/v1/usage",
            sent(control!, "c").filter((e) => !toVoid.includes(e.id.replace("vd-c-", "vd-v-")))
          )

          const unknown = yield* api("POST", "/v1/usage/voids", { ids: [toVoid[0], "vd-nope", 7] })
          assert.strictEqual(unknown.status, 400)
          assert.deepStrictEqual(fields(unknown.body.problems), ["2:id"])
          const absent = yield* api("POST", "/v1/usage/voids", { ids: [toVoid[0], "vd-nope"] })
          assert.strictEqual(absent.status, 400)
          assert.deepStrictEqual(fields(absent.body.problems), ["1:id"])

          assert.deepStrictEqual(yield* ok("POST", "/v1/usage/voids", { ids: toVoid }), {
            voided: 3,
            duplicates: []
          })
          assert.deepStrictEqual(yield* ok("POST", "/v1/usage/voids", { ids: [toVoid[0]] }), {
            voided: 0,
            duplicates: [toVoid[0]]
          })
          for (const date of ["2022-06-30", "2022-07-30"]) {
            const a = yield* ok("GET", `/v1/customers/${voided}/overview?date=${date}`)
            const b = yield* ok("GET", `/v1/customers/${control}/overview?date=${date}`)
            assert.deepStrictEqual(a, b, date)
          }
          const tooMany = yield* api("POST", "/v1/usage/voids", {
            ids: Array.from({ length: maxEventsPerBatch + 1 }, (_, i) => `vd-${i}`)
          })
          assert.strictEqual(tooMany.status, 413)
        })
      )
    }
  )

for (const kind of storeKinds) suite(kind)

describe("operator API switched off", () => {
  for (const [name, config] of [
    ["without ADMIN_TOKEN", {}],
    ["with an empty ADMIN_TOKEN", { ADMIN_TOKEN: "" }]
  ] as const) {
    layer(serverLayer("sqlite", config))(name, (it) => {
      it.effect("answers 503 on every operator call and says why", () =>
        Effect.gen(function* () {
          const base = yield* baseUrl
          for (const [method, path] of [
            ["GET", "/v1/packages"],
            ["PUT", "/v1/packages/x"],
            ["POST", "/v1/usage"],
            ["GET", "/v1/customers/x/overview"]
          ] as const) {
            for (const options of [{}, { token: "" }, { token: "anything" }]) {
              const answer = yield* call(base, method, path, options)
              assert.strictEqual(answer.status, 503, `${method} ${path}`)
              assert.strictEqual(answer.body._tag, "OperatorUnavailable")
              assert.include(answer.body.message, "ADMIN_TOKEN")
            }
          }
        })
      )
    })
  }
})
