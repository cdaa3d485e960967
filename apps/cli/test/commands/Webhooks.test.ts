import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { cli, secret, TestServer } from "../support/Harness.js"
import { Receiver } from "../support/Receiver.js"

const adminEnv = (server: { baseUrl: string; adminToken: string }) => ({
  ACCOUNT_OVERVIEW_BASE_URL: server.baseUrl,
  ACCOUNT_OVERVIEW_ADMIN_TOKEN: server.adminToken
})

const Setup = Layer.mergeAll(TestServer.layer, Receiver.layer)

layer(Setup, { excludeTestServices: true, timeout: "60 seconds" })("admin webhooks", (it) => {
  it.effect(
    "set prints a new endpoint's secret once on stdout; list, get, rotate-secret, deliveries, redeliver, delete",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const receiver = yield* Receiver
        const env = adminEnv(server)
        const url = `${receiver.url}/hooks`

        const created = yield* cli(["admin", "webhooks", "set", "ops", "--url", url], { env })
        assert.strictEqual(created.code, 0, created.stderr)
        const endpoint = JSON.parse(created.stdout)
        assert.strictEqual(endpoint.id, "ops")
        assert.strictEqual(endpoint.url, url)
        assert.deepStrictEqual(endpoint.events, ["usage.threshold_crossed"])
        assert.strictEqual(endpoint.enabled, true)
        assert.match(endpoint.secret, /^whsec_/)
        secret(endpoint.secret)
        assert.include(created.stderr, "shown this once")
        assert.notInclude(created.stderr, endpoint.secret)

        const updated = yield* cli(
          [
            "admin",
            "webhooks",
            "set",
            "ops",
            "--url",
            url,
            "--reseller",
            "hook-reseller",
            "--reseller",
            "other",
            "-o",
            "table"
          ],
          { env }
        )
        assert.strictEqual(updated.code, 0, updated.stderr)
        assert.include(updated.stdout, "hook-reseller,other")
        assert.notInclude(updated.stdout, "whsec_", "an update shows no secret")
        assert.strictEqual(updated.stderr, "")

        const listed = yield* cli(["admin", "webhooks", "list", "-o", "csv"], { env })
        assert.strictEqual(listed.code, 0, listed.stderr)
        const lines = listed.stdout.trimEnd().split("\n")
        assert.strictEqual(lines[0], "id,url,events,resellers,enabled,createdAt,previousSecretExpiresAt,secret")
        assert.match(lines[1]!, new RegExp(`^ops,${url},usage.threshold_crossed,"hook-reseller,other",true,`))

        const rotated = yield* cli(["admin", "webhooks", "rotate-secret", "ops", "--grace", "1h"], { env })
        assert.strictEqual(rotated.code, 0, rotated.stderr)
        const rotation = JSON.parse(rotated.stdout)
        secret(rotation.secret)
        assert.match(rotation.secret, /^whsec_/)
        assert.notStrictEqual(rotation.secret, endpoint.secret)
        const grace = Date.parse(rotation.previousSecretExpiresAt) - Date.now()
        assert.isTrue(grace > 50 * 60_000 && grace <= 3_600_000, rotation.previousSecretExpiresAt)
        const got = yield* cli(["admin", "webhooks", "get", "ops", "--fields", "id,previousSecretExpiresAt"], { env })
        assert.deepStrictEqual(JSON.parse(got.stdout), {
          id: "ops",
          previousSecretExpiresAt: rotation.previousSecretExpiresAt
        })

        yield* server.operator("PUT", "/v1/packages/Hooked", { credits: 100 })
        yield* server.operator("PUT", "/v1/resellers/hook-reseller", { apiKey: secret(`key-${crypto.randomUUID()}`) })
        yield* server.operator("PUT", "/v1/customers/hooked@example.com", {
          reseller: "hook-reseller",
          package: "Hooked",
          billingAnchor: "2024-01-01",
          reputation: 100
        })
        yield* server.operator("POST", "/v1/usage", [
          { id: "hook-1", user: "hooked@example.com", requests: 1, credits: 85, occurredAt: new Date().toISOString() }
        ])
        yield* receiver.received("/hooks", 1)
        const log = yield* cli(["admin", "webhooks", "deliveries", "ops"], { env })
        assert.strictEqual(log.code, 0, log.stderr)
        const deliveries = log.stdout
          .trimEnd()
          .split("\n")
          .map((line) => JSON.parse(line))
        assert.strictEqual(deliveries.length, 1)
        assert.strictEqual(deliveries[0].customer, "hooked@example.com")
        assert.strictEqual(deliveries[0].threshold, 80)
        assert.strictEqual(deliveries[0].event.data.creditsUsed, 85)
        const table = yield* cli(["admin", "webhooks", "deliveries", "ops", "-o", "table"], { env })
        assert.match(table.stdout, /^ID +EVENT +TYPE +CUSTOMER +THRESHOLD +STATUS/)
        assert.notInclude(table.stdout, "EVENT BODY")

        const again = yield* cli(["admin", "webhooks", "redeliver", "ops", deliveries[0].id], { env })
        assert.strictEqual(again.code, 0, again.stderr)
        assert.strictEqual(JSON.parse(again.stdout).eventId, deliveries[0].eventId)
        const [first, second] = yield* receiver.received("/hooks", 2)
        assert.strictEqual(first!.headers["ao-event-id"], second!.headers["ao-event-id"])

        const unknownDelivery = yield* cli(["admin", "webhooks", "redeliver", "ops", "dlv_nope"], { env })
        assert.strictEqual(unknownDelivery.code, 1)

        const deleted = yield* cli(["admin", "webhooks", "delete", "ops", "-o", "table"], { env })
        assert.strictEqual(deleted.code, 0, deleted.stderr)
        assert.strictEqual(deleted.stdout, `deleted webhook endpoint "ops" (${url})\n`)
        const gone = yield* cli(["admin", "webhooks", "get", "ops"], { env })
        assert.strictEqual(gone.code, 1)
        assert.include(gone.stderr, 'webhook endpoint "ops" was not found')
      }),
    { timeout: 60_000 }
  )

  it.effect("a URL to a private address that the service does not allow is refused, in one sentence", () =>
    Effect.gen(function* () {
      const server = yield* TestServer
      const refused = yield* cli(["admin", "webhooks", "set", "private", "--url", "http://10.1.2.3/hooks"], {
        env: adminEnv(server)
      })
      assert.strictEqual(refused.code, 1)
      assert.strictEqual(refused.stdout, "")
      assert.match(refused.stderr, /^error: the service refused the request for webhook endpoint "private"/)
    })
  )

  it.effect("packages set --alert-thresholds sets a package's thresholds; a bad list is a usage error", () =>
    Effect.gen(function* () {
      const server = yield* TestServer
      const env = adminEnv(server)
      const set = yield* cli(
        ["admin", "packages", "set", "Alerted", "--credits", "10", "--alert-thresholds", "50, 90,overage"],
        { env }
      )
      assert.strictEqual(set.code, 0, set.stderr)
      assert.deepStrictEqual(JSON.parse(set.stdout), {
        name: "Alerted",
        credits: 10,
        alertThresholds: [50, 90, "overage"]
      })
      const none = yield* cli(["admin", "packages", "set", "Quiet", "--credits", "10", "--alert-thresholds", "none"], {
        env
      })
      assert.deepStrictEqual(JSON.parse(none.stdout).alertThresholds, [])
      const csv = yield* cli(["admin", "packages", "list", "-o", "csv"], { env })
      assert.include(csv.stdout.split("\n"), 'Alerted,10,,"50,90,overage"')
      for (const bad of ["80,80", "0", "1001", "eighty", "80,"]) {
        const refused = yield* cli(["admin", "packages", "set", "X", "--credits", "1", "--alert-thresholds", bad], {
          env
        })
        assert.strictEqual(refused.code, 2, bad)
        assert.include(refused.stderr, "invalid --alert-thresholds: expected percentages from 1 to 1000 and overage")
      }
      const grace = yield* cli(["admin", "webhooks", "rotate-secret", "x", "--grace", "1w"], { env })
      assert.strictEqual(grace.code, 2)
      assert.include(grace.stderr, "invalid --grace: expected a duration such as 90s, 15m, 24h or 7d")
    })
  )

  it.effect(
    "customers set --alert-thresholds sets a customer's own thresholds; a set without it goes back to its package's",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const env = adminEnv(server)
        yield* server.operator("PUT", "/v1/packages/Own", { credits: 10, alertThresholds: [50] })
        yield* server.operator("PUT", "/v1/resellers/own-reseller", {})
        const customer = [
          "admin",
          "customers",
          "set",
          "own@example.com",
          "--reseller",
          "own-reseller",
          "--package",
          "Own",
          "--billing-anchor",
          "2025-01-01",
          "--reputation",
          "100"
        ]
        const own = yield* cli([...customer, "--alert-thresholds", "90,overage"], { env })
        assert.strictEqual(own.code, 0, own.stderr)
        assert.deepStrictEqual(JSON.parse(own.stdout).alertThresholds, [90, "overage"])
        const stored = (yield* server.operator("GET", "/v1/customers/own@example.com")) as { alertThresholds?: unknown }
        assert.deepStrictEqual(stored.alertThresholds, [90, "overage"])
        const table = yield* cli(["admin", "customers", "get", "own@example.com", "-o", "table"], { env })
        assert.include(table.stdout.split("\n"), "alert thresholds  90,overage")
        const none = yield* cli([...customer, "--alert-thresholds", "none"], { env })
        assert.deepStrictEqual(JSON.parse(none.stdout).alertThresholds, [])
        const inherited = yield* cli(customer, { env })
        assert.notProperty(JSON.parse(inherited.stdout), "alertThresholds")
        const refused = yield* cli([...customer, "--alert-thresholds", "80,80"], { env })
        assert.strictEqual(refused.code, 2)
        assert.include(refused.stderr, "invalid --alert-thresholds")
      })
  )
})
