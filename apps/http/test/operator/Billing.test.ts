import { randomBytes } from "node:crypto"
import { createServer } from "node:http"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { assert, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import { OperatorRoutes } from "../../src/operator/Routes.js"
import { Settings } from "../../src/Settings.js"
import { call } from "./http.js"
import { storeLayer } from "./stores.js"

const token = randomBytes(24).toString("base64url")

const serverLayer = HttpRouter.serve(OperatorRoutes, { disableLogger: true, disableListenLog: true }).pipe(
  Layer.provideMerge(storeLayer("sqlite")),
  Layer.provide(Settings.layer),
  Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({ ADMIN_TOKEN: token }))),
  Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0 }))
)

const api = (method: string, path: string, json?: unknown) =>
  Effect.flatMap(
    HttpServer.addressFormattedWith((url) => Effect.succeed(url)),
    (base) => call(base, method, path, json === undefined ? { token } : { token, json })
  )

const ok = (method: string, path: string, json?: unknown) =>
  Effect.tap(api(method, path, json), (answer) =>
    Effect.sync(() => assert.strictEqual(answer.status, 200, `${method} ${path}: ${answer.text}`))
  ).pipe(Effect.map((answer) => answer.body))

layer(serverLayer, { timeout: 60_000, excludeTestServices: true })(
  "operator billing routes (operator/Billing.ts)",
  (it) => {
    it.effect("time zones on customers and resellers: an unknown zone is a 400 naming it", () =>
      Effect.gen(function* () {
        const p = `tz${randomBytes(4).toString("hex")}`
        yield* ok("PUT", `/v1/packages/${p}-pkg`, { credits: 10, overagePrice: 0.5 })
        const reseller = yield* ok("PUT", `/v1/resellers/${p}-r`, {
          apiKey: `${p}-key-0123456789`,
          timeZone: "Europe/London"
        })
        assert.deepStrictEqual(reseller, { apiUser: `${p}-r`, created: true })
        const badReseller = yield* api("PUT", `/v1/resellers/${p}-r`, { timeZone: "Mars/Olympus" })
        assert.strictEqual(badReseller.status, 400)
        assert.include(badReseller.text, "Mars/Olympus")
        const customer = { reseller: `${p}-r`, package: `${p}-pkg`, billingAnchor: "2025-01-01", reputation: 100 }
        const bad = yield* api("PUT", `/v1/customers/${p}-c`, { ...customer, timeZone: "Europe/Atlantis" })
        assert.strictEqual(bad.status, 400)
        assert.strictEqual(bad.body._tag, "OperatorInvalid")
        assert.include(bad.text, "Europe/Atlantis")
        const stored = yield* ok("PUT", `/v1/customers/${p}-c`, { ...customer, timeZone: "Pacific/Auckland" })
        assert.deepStrictEqual(stored, { user: `${p}-c`, ...customer, timeZone: "Pacific/Auckland" })
        assert.deepStrictEqual(yield* ok("GET", `/v1/customers/${p}-c`), stored)
        // Auckland: 2025-03-31T12:30Z is 1 April there.
        yield* ok("POST", "/v1/usage", [
          { id: `${p}-e1`, user: `${p}-c`, requests: 1, credits: 15, occurredAt: "2025-03-31T12:30:00Z" }
        ])
        const march = yield* ok("GET", `/v1/customers/${p}-c/overview?date=2025-03-31`)
        const april = yield* ok("GET", `/v1/customers/${p}-c/overview?date=2025-04-01`)
        assert.deepStrictEqual([march.creditsUsed, april.creditsUsed], [0, 15])

        // Package changes.
        yield* ok("PUT", `/v1/packages/${p}-big`, { credits: 100 })
        const scheduled = yield* ok("POST", `/v1/customers/${p}-c/package`, {
          package: `${p}-big`,
          effective: "nextCycle"
        })
        assert.strictEqual(scheduled.scheduled.package, `${p}-big`)
        const cancelled = yield* ok("DELETE", `/v1/customers/${p}-c/package/scheduled`)
        assert.deepStrictEqual(cancelled, { user: `${p}-c`, current: { package: `${p}-pkg`, from: "0001-01-01" } })
        const noPackage = yield* api("POST", `/v1/customers/${p}-c/package`, { package: `${p}-none`, effective: "now" })
        assert.strictEqual(noPackage.status, 400)
        const noCustomer = yield* api("POST", `/v1/customers/${p}-none/package`, {
          package: `${p}-big`,
          effective: "now"
        })
        assert.strictEqual(noCustomer.status, 404)
        const badEffective = yield* api("POST", `/v1/customers/${p}-c/package`, {
          package: `${p}-big`,
          effective: "later"
        })
        assert.strictEqual(badEffective.status, 400)

        // The history and the report, JSON and CSV.
        const cycles = yield* ok("GET", `/v1/customers/${p}-c/cycles?from=2025-03-01&to=2025-04-15`)
        assert.strictEqual(cycles.timeZone, "Pacific/Auckland")
        assert.deepStrictEqual(
          cycles.items.map((c: { start: string; creditsUsed: number; creditsOverage: number }) => [
            c.start,
            c.creditsUsed,
            c.creditsOverage
          ]),
          [
            ["2025-03-01", 0, 0],
            ["2025-04-01", 15, 5]
          ]
        )
        const backwards = yield* api("GET", `/v1/customers/${p}-c/cycles?from=2025-04-15&to=2025-03-01`)
        assert.strictEqual(backwards.status, 400)
        const report = yield* ok("GET", `/v1/resellers/${p}-r/cycles?closedOn=2025-05-01`)
        assert.deepStrictEqual(
          report.items.map((l: { user: string; creditsOverage: number; overageAmount: number }) => [
            l.user,
            l.creditsOverage,
            l.overageAmount
          ]),
          [[`${p}-c`, 5, 2.5]]
        )
        const csv = yield* api("GET", `/v1/resellers/${p}-r/cycles.csv?closedOn=2025-05-01`)
        assert.strictEqual(csv.status, 200)
        assert.include(csv.headers.get("content-type") ?? "", "text/csv")
        assert.strictEqual(
          csv.text,
          "user,timeZone,start,end,processDate,package,creditsAllowed,creditsUsed,creditsOverage,requests,overagePrice,overageAmount\r\n" +
            `${p}-c,Pacific/Auckland,2025-04-01,2025-04-30,2025-05-01,${p}-pkg,10,15,5,1,0.5,2.5\r\n`
        )
        const noReseller = yield* api("GET", `/v1/resellers/${p}-none/cycles?closedOn=2025-05-01`)
        assert.strictEqual(noReseller.status, 404)
        const noDate = yield* api("GET", `/v1/resellers/${p}-r/cycles`)
        assert.strictEqual(noDate.status, 400)
      })
    )
  }
)
