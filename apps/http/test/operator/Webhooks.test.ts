import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, type Scope } from "effect"
import { type Answer, fetchAnswer } from "./http.js"
import { ensureBuilt, eventually, type Instance, server, spawnServer } from "./processes.js"
import { databaseUrlFor, type StoreKind, storeKinds } from "./stores.js"

const token = randomBytes(24).toString("base64url")

beforeAll(() => ensureBuilt(), 120_000)

const databaseFor = (kind: StoreKind) => databaseUrlFor(kind, "ao-hooks-")

/** The settings of a server whose local receiver is allowed, retrying fast. */
const hookEnv = (database: string): Record<string, string> => ({
  DATABASE_URL: database,
  ADMIN_TOKEN: token,
  WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
  WEBHOOK_BACKOFF_BASE_MS: "20",
  WEBHOOK_BACKOFF_MAX_MS: "200",
  WEBHOOK_POLL_MS: "100",
  WEBHOOK_TIMEOUT_MS: "2000"
})

const must = async (base: string, method: string, path: string, json?: unknown): Promise<Answer> => {
  const answer = await fetchAnswer(base, method, path, json === undefined ? { token } : { token, json })
  if (answer.status !== 200) throw new Error(`${method} ${path}: ${answer.status} ${answer.text}`)
  return answer
}

interface Receipt {
  readonly headers: IncomingHttpHeaders
  readonly body: string
  // biome-ignore lint/suspicious/noExplicitAny: the event is inspected field by field
  readonly event: any
}

/** A local webhook receiver: records every POST; `answer` chooses each status (200 by default). */
interface Receiver {
  readonly url: string
  readonly receipts: Array<Receipt>
  /** A status, a status with headers, or `"hang"` for no answer at all. */
  answer: (receipt: Receipt, attempt: number) => number | { status: number; headers: Record<string, string> } | "hang"
  readonly stop: () => Promise<void>
  readonly start: () => Promise<void>
}

const receiver = (): Effect.Effect<Receiver, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      let port = 0
      let http: Server | undefined
      const self: Receiver = {
        url: "",
        receipts: [],
        answer: () => 200,
        stop: () =>
          new Promise<void>((done) => {
            if (http === undefined) return done()
            http.closeAllConnections()
            http.close(() => done())
            http = undefined
          }),
        start: () =>
          new Promise<void>((done) => {
            const created = createServer((req, res) => {
              const chunks: Array<Buffer> = []
              req.on("data", (c: Buffer) => chunks.push(c))
              req.on("end", () => {
                const body = Buffer.concat(chunks).toString("utf8")
                const receipt: Receipt = { headers: req.headers, body, event: JSON.parse(body) }
                self.receipts.push(receipt)
                const attempt = self.receipts.filter((r) => r.event.id === receipt.event.id).length
                const answer = self.answer(receipt, attempt)
                if (answer === "hang") return
                if (typeof answer === "number") res.writeHead(answer).end("ok")
                else res.writeHead(answer.status, answer.headers).end("moved")
              })
            })
            created.listen(port, "127.0.0.1", () => {
              const address = created.address()
              if (typeof address === "object" && address !== null) port = address.port
              http = created
              done()
            })
          })
      }
      await self.start()
      ;(self as { url: string }).url = `http://127.0.0.1:${port}/hooks`
      return self
    }),
    (r) => Effect.promise(() => r.stop())
  )

/** Verifies `AO-Signature` as a receiver would: t=, one v1= per secret, HMAC-SHA256 of `t.body`. */
const verify = (receipt: Receipt, secret: string, toleranceSeconds = 300): boolean => {
  const header = String(receipt.headers["ao-signature"] ?? "")
  const parts = header.split(",").map((p) => p.split("=") as [string, string])
  const t = parts.find(([k]) => k === "t")?.[1]
  if (t === undefined || Math.abs(Date.now() / 1000 - Number(t)) > toleranceSeconds) return false
  const expected = createHmac("sha256", secret).update(`${t}.${receipt.body}`).digest()
  return parts
    .filter(([k]) => k === "v1")
    .some(([, v]) => {
      const given = Buffer.from(v, "hex")
      return given.length === expected.length && timingSafeEqual(given, expected)
    })
}

const nowIso = () => new Date().toISOString()

/** A package of 1000 credits, a reseller and a customer whose cycle holds today. */
const seed = async (base: string, prefix: string, users: ReadonlyArray<string> = [`${prefix}-bob`]) => {
  await must(base, "PUT", `/v1/packages/${prefix}-pkg`, { credits: 1000 })
  await must(base, "PUT", `/v1/resellers/${prefix}-reseller`, {})
  for (const user of users) {
    await must(base, "PUT", `/v1/customers/${user}`, {
      reseller: `${prefix}-reseller`,
      package: `${prefix}-pkg`,
      billingAnchor: "2020-01-01",
      reputation: 100
    })
  }
}

const usage = (
  base: string,
  events: ReadonlyArray<{ id: string; user: string; credits: number; occurredAt?: string }>
) =>
  must(
    base,
    "POST",
    "/v1/usage",
    events.map((e) => ({ requests: 1, occurredAt: nowIso(), ...e }))
  ).then((a) => a.body as { accepted: number; duplicates: ReadonlyArray<string>; conflicts: ReadonlyArray<string> })

const endpoint = async (base: string, id: string, url: string, extra: Record<string, unknown> = {}) =>
  (await must(base, "PUT", `/v1/webhooks/${id}`, { url, events: ["usage.threshold_crossed"], ...extra })).body

// biome-ignore lint/suspicious/noExplicitAny: log items are inspected field by field
const deliveries = async (base: string, id: string): Promise<Array<any>> =>
  (await must(base, "GET", `/v1/webhooks/${id}/deliveries`)).body.items

const thresholdsOf = (r: Receiver) => r.receipts.map((x) => x.event.data.threshold)

describe("usage alerts by signed webhook (operator/Webhooks.ts, WebhookDelivery.ts, through the built server)", () => {
  for (const kind of storeKinds) {
    it.live(
      `${kind}: 0 -> 85 % -> 105 % delivers one signed event per threshold, a replay none, the secret shown once`,
      () =>
        Effect.gen(function* () {
          const hooks = yield* receiver()
          const app = yield* server(hookEnv(yield* databaseFor(kind)))
          yield* Effect.promise(async () => {
            await seed(app.url, "one")
            const created = await endpoint(app.url, "ops", hooks.url)
            assert.match(created.secret, /^whsec_[A-Za-z0-9_-]{40,}$/)
            const secret = created.secret as string
            assert.notProperty((await must(app.url, "GET", "/v1/webhooks/ops")).body, "secret")
            assert.notProperty(await endpoint(app.url, "ops", hooks.url), "secret", "an update shows no secret")
            const listed = (await must(app.url, "GET", "/v1/webhooks")).body
            assert.deepStrictEqual(
              listed.map((e: { id: string; url: string; enabled: boolean }) => [e.id, e.url, e.enabled]),
              [["ops", hooks.url, true]]
            )
            assert.notInclude(JSON.stringify(listed), secret)

            const occurredAt = nowIso()
            const first = [{ id: "one-1", user: "one-bob", credits: 850, occurredAt }]
            const second = [
              { id: "one-2", user: "one-bob", credits: 100, occurredAt },
              { id: "one-3", user: "one-bob", credits: 100, occurredAt }
            ]
            assert.strictEqual((await usage(app.url, first)).accepted, 1)
            await eventually("the 80 % alert", async () => hooks.receipts.length >= 1)
            assert.strictEqual((await usage(app.url, second)).accepted, 2)
            await eventually("the 100 % alert", async () => hooks.receipts.length >= 2)
            // The same batches again: duplicates, no usage, no alert.
            assert.deepStrictEqual((await usage(app.url, first)).duplicates, ["one-1"])
            assert.deepStrictEqual((await usage(app.url, second)).duplicates, ["one-2", "one-3"])
            // Alerts are written with the ingestion: the log holds every delivery there will be.
            const log = await deliveries(app.url, "ops")
            assert.strictEqual(log.length, 2)
            await eventually("both delivered", async () =>
              (await deliveries(app.url, "ops")).every((d) => d.status === "delivered")
            )
            assert.deepStrictEqual(thresholdsOf(hooks), [80, 100])
            const [at80, at100] = hooks.receipts
            for (const receipt of hooks.receipts) {
              assert.isTrue(verify(receipt, secret), "signed with the endpoint's secret")
              assert.isFalse(verify(receipt, `${secret}x`), "not with another")
              assert.strictEqual(receipt.headers["content-type"], "application/json")
              assert.strictEqual(receipt.headers["ao-event-id"], receipt.event.id)
              assert.match(String(receipt.headers["user-agent"]), /^account-overview-webhooks\/\d+\.\d+\.\d+/)
              assert.match(receipt.event.id, /^evt_[0-9a-f]{24}$/)
              assert.strictEqual(receipt.event.type, "usage.threshold_crossed")
              assert.isTrue(Number.isFinite(Date.parse(receipt.event.created)))
            }
            assert.deepStrictEqual(at80!.event.data, {
              reseller: "one-reseller",
              customer: "one-bob",
              cycle: at80!.event.data.cycle,
              threshold: 80,
              creditsUsed: 850,
              creditsAllowed: 1000,
              timeZone: "UTC"
            })
            assert.strictEqual(at100!.event.data.creditsUsed, 1050)
            assert.strictEqual(at100!.event.data.threshold, 100)
            assert.match(at80!.event.data.cycle.start, /^\d{4}-\d{2}-01$/)
            assert.notStrictEqual(at80!.event.id, at100!.event.id)
            assert.deepStrictEqual(log.map((d) => d.eventId).sort(), hooks.receipts.map((r) => r.event.id).sort())
            for (const d of await deliveries(app.url, "ops")) {
              assert.strictEqual(d.attempts, 1)
              assert.strictEqual(d.lastStatus, 200)
              assert.isString(d.deliveredAt)
              assert.deepStrictEqual(d.event, hooks.receipts.find((r) => r.event.id === d.eventId)!.event)
            }
            assert.strictEqual(hooks.receipts.length, 2)
            const metrics = (await fetchAnswer(app.url, "GET", "/metrics")).text
            assert.include(metrics, "webhook_deliveries_delivered_total 2")
            assert.include(metrics, "webhook_deliveries_pending 0")
            assert.notInclude(app.output(), secret)
          })
        }),
      90_000
    )

    it.live(
      `${kind}: a receiver answering 500 twice gets the delivery on the third attempt; redeliver sends it again`,
      () =>
        Effect.gen(function* () {
          const hooks = yield* receiver()
          hooks.answer = (_receipt, attempt) => (attempt <= 2 ? 500 : 204)
          const app = yield* server(hookEnv(yield* databaseFor(kind)))
          yield* Effect.promise(async () => {
            await seed(app.url, "retry")
            await endpoint(app.url, "flaky", hooks.url)
            await usage(app.url, [{ id: "retry-1", user: "retry-bob", credits: 1000 }])
            await eventually(
              "delivered",
              async () => (await deliveries(app.url, "flaky")).filter((d) => d.status === "delivered").length === 2
            )
            const log = await deliveries(app.url, "flaky")
            for (const d of log) {
              assert.strictEqual(d.attempts, 3)
              assert.strictEqual(d.lastStatus, 204)
            }
            const perEvent = new Map<string, number>()
            for (const r of hooks.receipts) perEvent.set(r.event.id, (perEvent.get(r.event.id) ?? 0) + 1)
            assert.deepStrictEqual([...perEvent.values()], [3, 3])
            const before = hooks.receipts.length
            const again = (await must(app.url, "POST", `/v1/webhooks/flaky/deliveries/${log[0].id}/redeliver`)).body
            assert.strictEqual(again.status, "pending")
            assert.strictEqual(again.eventId, log[0].eventId)
            await eventually("redelivered", async () => hooks.receipts.length === before + 1)
            assert.strictEqual(hooks.receipts.at(-1)!.event.id, log[0].eventId)
            const missing = await fetchAnswer(app.url, "POST", "/v1/webhooks/flaky/deliveries/dlv_nope/redeliver", {
              token
            })
            assert.strictEqual(missing.status, 404)
          })
        }),
      90_000
    )

    it.live(
      `${kind}: a SIGKILL between commit and delivery delays the delivery and loses nothing`,
      () =>
        Effect.gen(function* () {
          const hooks = yield* receiver()
          const env = hookEnv(yield* databaseFor(kind))
          const first = yield* Effect.promise(() => spawnServer(env))
          yield* Effect.addFinalizer(() => Effect.promise(() => first.kill("SIGKILL")))
          yield* Effect.promise(async () => {
            await seed(first.url, "kill")
            await endpoint(first.url, "down", hooks.url)
            await hooks.stop()
            await usage(first.url, [{ id: "kill-1", user: "kill-bob", credits: 900 }])
            // Committed with the ingestion, attempted once against a receiver that is down.
            await eventually("a failed attempt", async () =>
              (await deliveries(first.url, "down")).some((d) => d.attempts >= 1 && d.status === "pending")
            )
            await first.kill("SIGKILL")
            assert.strictEqual(first.child.signalCode, "SIGKILL")
            assert.strictEqual(hooks.receipts.length, 0)
            await hooks.start()
          })
          const second: Instance = yield* server(env)
          yield* Effect.promise(async () => {
            await eventually("delivered after the restart", async () =>
              (await deliveries(second.url, "down")).every((d) => d.status === "delivered")
            )
            assert.deepStrictEqual(thresholdsOf(hooks), [80])
            const log = await deliveries(second.url, "down")
            assert.strictEqual(log.length, 1)
            assert.isAtLeast(log[0].attempts, 2)
          })
        }),
      90_000
    )
  }

  it.live(
    "a 3xx is not followed, a silent receiver times out, and past the retry window a delivery fails",
    () =>
      Effect.gen(function* () {
        const moved = yield* receiver()
        const target = yield* receiver()
        const silent = yield* receiver()
        moved.answer = () => ({ status: 302, headers: { location: target.url } })
        silent.answer = () => "hang"
        const app = yield* server({
          ...hookEnv(yield* databaseFor("sqlite")),
          WEBHOOK_TIMEOUT_MS: "300",
          WEBHOOK_RETRY_WINDOW_MS: "1500"
        })
        yield* Effect.promise(async () => {
          await seed(app.url, "gone")
          await endpoint(app.url, "moved", moved.url)
          await endpoint(app.url, "silent", silent.url)
          await usage(app.url, [{ id: "gone-1", user: "gone-bob", credits: 800 }])
          await eventually("both failed", async () => {
            const all = [...(await deliveries(app.url, "moved")), ...(await deliveries(app.url, "silent"))]
            return all.length === 2 && all.every((d) => d.status === "failed")
          })
          const [redirected] = await deliveries(app.url, "moved")
          assert.strictEqual(redirected.lastStatus, 302)
          assert.include(redirected.lastError, "redirects are not followed")
          assert.isAtLeast(moved.receipts.length, 1)
          assert.strictEqual(target.receipts.length, 0, "the Location is never fetched")
          const [timedOut] = await deliveries(app.url, "silent")
          assert.notProperty(timedOut, "lastStatus")
          assert.include(timedOut.lastError, "no answer within 300 ms")
          assert.notProperty(timedOut, "nextAttemptAt")
          const metrics = (await fetchAnswer(app.url, "GET", "/metrics")).text
          assert.include(metrics, "webhook_deliveries_failed_total 2")
          assert.include(metrics, "webhook_deliveries_delivered_total 0")
        })
      }),
    60_000
  )

  it.live(
    "two instances on one PostgreSQL deliver each alert once",
    () =>
      Effect.gen(function* () {
        const hooks = yield* receiver()
        const env = hookEnv(yield* databaseFor("pg"))
        const a = yield* server(env)
        const b = yield* server(env)
        yield* Effect.promise(async () => {
          const users = Array.from({ length: 24 }, (_, i) => `two-c${i}`)
          await seed(a.url, "two", users)
          await endpoint(a.url, "shared", hooks.url)
          // Each customer to 85 % through one instance, then to 105 % through the other, all at once.
          await Promise.all(
            users.map(async (user, i) => {
              const [x, y] = i % 2 === 0 ? [a, b] : [b, a]
              await usage(x.url, [{ id: `${user}-1`, user, credits: 850 }])
              await usage(y.url, [{ id: `${user}-2`, user, credits: 200 }])
            })
          )
          await eventually("every alert delivered", async () => {
            const log = (await must(a.url, "GET", "/v1/webhooks/shared/deliveries?limit=1000")).body.items
            return log.length === users.length * 2 && log.every((d: { status: string }) => d.status === "delivered")
          })
          const perEvent = new Map<string, number>()
          for (const r of hooks.receipts) perEvent.set(r.event.id, (perEvent.get(r.event.id) ?? 0) + 1)
          assert.strictEqual(perEvent.size, users.length * 2)
          assert.deepStrictEqual(new Set(perEvent.values()), new Set([1]))
          const perCustomer = new Map<string, Array<number>>()
          for (const r of hooks.receipts) {
            perCustomer.set(r.event.data.customer, [
              ...(perCustomer.get(r.event.data.customer) ?? []),
              r.event.data.threshold
            ])
          }
          for (const user of users) assert.deepStrictEqual(perCustomer.get(user)?.sort(), [100, 80], user)
        })
      }),
    120_000
  )

  it.live(
    "URLs to loopback and private addresses are refused unless WEBHOOK_ALLOWED_HOSTS lists them",
    () =>
      Effect.gen(function* () {
        const database = yield* databaseFor("sqlite")
        const strict = yield* server({ DATABASE_URL: database, ADMIN_TOKEN: token })
        yield* Effect.promise(async () => {
          for (const url of [
            "http://127.0.0.1:9/hooks",
            "http://10.1.2.3/hooks",
            "http://[::1]/hooks",
            "http://[::ffff:10.0.0.1]/hooks",
            "http://localhost:8080/hooks",
            "http://169.254.169.254/latest/meta-data",
            "http://192.168.1.1/",
            "ftp://example.com/hooks",
            "not a url"
          ]) {
            const answer = await fetchAnswer(strict.url, "PUT", "/v1/webhooks/nope", {
              token,
              json: { url, events: ["usage.threshold_crossed"] }
            })
            assert.strictEqual(answer.status, 400, url)
            assert.deepStrictEqual(
              answer.body.problems.map((p: { field: string }) => p.field),
              ["url"],
              url
            )
          }
          assert.strictEqual((await fetchAnswer(strict.url, "GET", "/v1/webhooks/nope", { token })).status, 404)
          assert.strictEqual(
            (
              await must(strict.url, "PUT", "/v1/webhooks/public", {
                url: "https://example.com/hooks",
                events: ["usage.threshold_crossed"]
              })
            ).status,
            200
          )
        })
        const allowed = yield* server({
          ...hookEnv(yield* databaseFor("sqlite")),
          WEBHOOK_ALLOWED_HOSTS: "127.0.0.1, 10.0.0.0/8"
        })
        yield* Effect.promise(async () => {
          for (const url of ["http://127.0.0.1:9/hooks", "http://10.1.2.3/hooks"]) {
            assert.strictEqual(
              (await must(allowed.url, "PUT", "/v1/webhooks/ok", { url, events: ["usage.threshold_crossed"] })).status,
              200
            )
          }
          const still = await fetchAnswer(allowed.url, "PUT", "/v1/webhooks/no", {
            token,
            json: { url: "http://192.168.1.1/", events: ["usage.threshold_crossed"] }
          })
          assert.strictEqual(still.status, 400)
        })
      }),
    60_000
  )

  it.live(
    "thresholds per package and customer; a rotation signs with both secrets during its grace period",
    () =>
      Effect.gen(function* () {
        const hooks = yield* receiver()
        const app = yield* server(hookEnv(yield* databaseFor("sqlite")))
        yield* Effect.promise(async () => {
          await seed(app.url, "cfg", ["cfg-a", "cfg-b", "cfg-c"])
          const pkg = await must(app.url, "PUT", "/v1/packages/cfg-pkg", {
            credits: 1000,
            alertThresholds: [50, "overage"]
          })
          assert.deepStrictEqual(pkg.body.alertThresholds, [50, "overage"])
          const listed = (await must(app.url, "GET", "/v1/packages")).body
          assert.deepStrictEqual(listed.find((p: { name: string }) => p.name === "cfg-pkg").alertThresholds, [
            50,
            "overage"
          ])
          const customer = (await must(app.url, "GET", "/v1/customers/cfg-a")).body
          assert.notProperty(customer, "alertThresholds")
          const put = (base: string, user: string, alertThresholds: unknown) =>
            fetchAnswer(base, "PUT", `/v1/customers/${user}`, {
              token,
              json: {
                reseller: "cfg-reseller",
                package: "cfg-pkg",
                billingAnchor: "2020-01-01",
                reputation: 100,
                alertThresholds
              }
            })
          assert.deepStrictEqual((await put(app.url, "cfg-b", [10])).body.alertThresholds, [10])
          assert.deepStrictEqual((await must(app.url, "GET", "/v1/customers/cfg-b")).body.alertThresholds, [10])
          assert.deepStrictEqual((await put(app.url, "cfg-c", [])).body.alertThresholds, [])
          for (const bad of [[0], [1001], [80, 80], ["over"]]) {
            assert.strictEqual((await put(app.url, "cfg-a", bad)).status, 400, JSON.stringify(bad))
          }
          const created = await endpoint(app.url, "cfg", hooks.url)
          const rotated = (await must(app.url, "POST", "/v1/webhooks/cfg/rotate-secret", {})).body
          assert.notStrictEqual(rotated.secret, created.secret)
          assert.isTrue(Date.parse(rotated.previousSecretExpiresAt) > Date.now() + 23 * 3600_000)
          await usage(app.url, [
            { id: "cfg-1", user: "cfg-a", credits: 1200 },
            { id: "cfg-2", user: "cfg-b", credits: 150 },
            { id: "cfg-3", user: "cfg-c", credits: 5000 }
          ])
          await eventually("three alerts", async () => hooks.receipts.length >= 3)
          const seen = hooks.receipts.map((r) => `${r.event.data.customer}:${r.event.data.threshold}`).sort()
          assert.deepStrictEqual(seen, ["cfg-a:50", "cfg-a:overage", "cfg-b:10"])
          for (const receipt of hooks.receipts) {
            const v1 = String(receipt.headers["ao-signature"])
              .split(",")
              .filter((p) => p.startsWith("v1="))
            assert.strictEqual(v1.length, 2, "new secret first, old second")
            assert.isTrue(verify(receipt, rotated.secret))
            assert.isTrue(verify(receipt, created.secret))
          }
          assert.strictEqual(
            (await fetchAnswer(app.url, "POST", "/v1/webhooks/none/rotate-secret", { token, json: {} })).status,
            404
          )
          const removed = (await must(app.url, "DELETE", "/v1/webhooks/cfg")).body
          assert.strictEqual(removed.id, "cfg")
          assert.strictEqual((await fetchAnswer(app.url, "GET", "/v1/webhooks/cfg", { token })).status, 404)
        })
      }),
    60_000
  )
})
