import type { CalendarDate, UsageEvent } from "@account-overview/core"
import { assert, layer } from "@effect/vitest"
import { Effect, type Layer, Option, Redacted } from "effect"
import { Ledger } from "../src/Ledger.js"
import { LedgerWebhooks } from "../src/LedgerWebhooks.js"
import { ledgerLayers } from "./support/ledgerLayers.js"

const { sqlite: sqliteLayer, pg: pgLayer } = ledgerLayers("ao_hooks")

const event = (id: string, user: string, credits: number, occurredAt = new Date().toISOString()): UsageEvent => ({
  id,
  user,
  requests: 1,
  credits,
  occurredAt
})

const setUp = (prefix: string, customers: ReadonlyArray<{ user: string; reseller?: string }>) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger
    yield* ledger.upsertPackage({ name: `${prefix}-pkg`, credits: 1000 })
    for (const reseller of new Set(customers.map((c) => c.reseller ?? `${prefix}-r`))) {
      yield* ledger.upsertReseller(reseller, Redacted.make(`${reseller}-key-0123456789`))
    }
    for (const c of customers) {
      yield* ledger.upsertCustomer({
        user: c.user,
        reseller: c.reseller ?? `${prefix}-r`,
        package: `${prefix}-pkg`,
        billingAnchor: "2020-01-01" as CalendarDate,
        reputation: 100
      })
    }
  })

const suite = (name: string, ledgerLayer: Layer.Layer<Ledger | LedgerWebhooks>) =>
  layer(ledgerLayer, { timeout: 60_000, excludeTestServices: true })(name, (it) => {
    it.effect("raises each threshold once per cycle in the ingestion, none on a replay, a backfill or a void", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const hooks = yield* LedgerWebhooks
        yield* setUp("a", [{ user: "a-bob" }, { user: "a-old" }])
        const { endpoint } = yield* hooks.setEndpoint("a-ep", {
          url: "https://example.com/a",
          events: ["usage.threshold_crossed"]
        })
        const log = () =>
          hooks.deliveries("a-ep", { limit: 100 }).pipe(Effect.map((page) => Option.getOrThrow(page).items))
        assert.isString(endpoint.secret)
        yield* ledger.ingest([event("a-1", "a-bob", 500)])
        assert.strictEqual((yield* log()).length, 0, "50 % reaches nothing")
        yield* ledger.ingest([event("a-2", "a-bob", 350)])
        const first = yield* log()
        assert.deepStrictEqual(
          first.map((d) => [d.event.data.threshold, d.event.data.creditsUsed, d.event.data.creditsAllowed, d.status]),
          [[80, 850, 1000, "pending"]]
        )
        yield* ledger.ingest([event("a-1", "a-bob", 500), event("a-2", "a-bob", 350)])
        assert.strictEqual((yield* log()).length, 1, "a replay raises nothing")
        // Voided below 80 % and back above it: the threshold is not re-armed.
        yield* ledger.voidEvents(["a-2"])
        yield* ledger.ingest([event("a-3", "a-bob", 400)])
        const second = yield* log()
        assert.deepStrictEqual(second.map((d) => d.event.data.threshold).sort(), [80])
        yield* ledger.ingest([event("a-4", "a-bob", 200)])
        assert.deepStrictEqual(
          (yield* log()).map((d) => d.event.data.threshold),
          [100, 80]
        )
        // A backfill into a cycle that has ended raises nothing, however large.
        yield* ledger.ingest([event("a-5", "a-old", 5000, "2021-03-15T12:00:00Z")])
        assert.strictEqual((yield* log()).length, 2)
        const cycles = new Set((yield* log()).map((d) => `${d.event.data.cycle.start}..${d.event.data.cycle.end}`))
        assert.strictEqual(cycles.size, 1)
      })
    )

    it.effect("thresholds from the customer, else the package; endpoints by reseller and enabled", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const hooks = yield* LedgerWebhooks
        yield* setUp("b", [{ user: "b-x" }, { user: "b-y", reseller: "b-other" }])
        yield* ledger.upsertPackage({ name: "b-pkg", credits: 1000, alertThresholds: ["overage"] })
        const listed = (yield* ledger.listPackages()).find((p) => p.name === "b-pkg")
        assert.deepStrictEqual(listed?.alertThresholds, ["overage"])
        const customer = yield* ledger.upsertCustomer({
          user: "b-x",
          reseller: "b-r",
          package: "b-pkg",
          billingAnchor: "2020-01-01" as CalendarDate,
          reputation: 100,
          alertThresholds: [10]
        })
        assert.deepStrictEqual(customer.alertThresholds, [10])
        assert.deepStrictEqual(Option.getOrThrow(yield* ledger.getCustomer("b-x")).alertThresholds, [10])
        yield* hooks.setEndpoint("b-only-r", {
          url: "https://example.com/b",
          events: ["usage.threshold_crossed"],
          resellers: ["B-R"]
        })
        yield* hooks.setEndpoint("b-off", {
          url: "https://example.com/off",
          events: ["usage.threshold_crossed"],
          enabled: false
        })
        yield* ledger.ingest([event("b-1", "b-x", 150), event("b-2", "b-y", 1500)])
        const only = Option.getOrThrow(yield* hooks.deliveries("b-only-r", { limit: 10 })).items
        assert.deepStrictEqual(
          only.map((d) => [d.event.data.customer, d.event.data.threshold]),
          [["b-x", 10]]
        )
        assert.strictEqual(Option.getOrThrow(yield* hooks.deliveries("b-off", { limit: 10 })).items.length, 0)
        assert.isTrue(Option.isNone(yield* hooks.deliveries("b-none", { limit: 10 })))
      })
    )

    it.effect("records nothing while no endpoint wants alerts; one added later gets what was reached", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const hooks = yield* LedgerWebhooks
        // Earlier tests' endpoints would want the alerts: switch them off for this one.
        for (const e of yield* hooks.listEndpoints()) {
          yield* hooks.setEndpoint(e.id, { url: e.url, events: ["usage.threshold_crossed"], enabled: false })
        }
        yield* setUp("d", [{ user: "d-x" }])
        yield* ledger.ingest([event("d-1", "d-x", 900)])
        yield* hooks.setEndpoint("d-late", { url: "https://example.com/d", events: ["usage.threshold_crossed"] })
        yield* ledger.ingest([event("d-2", "d-x", 10)])
        const log = Option.getOrThrow(yield* hooks.deliveries("d-late", { limit: 10 })).items
        // Raised at 910, not 900: no alert was recorded before (it would have kept its own
        // figures, and a new endpoint gets deliveries only of new alerts).
        assert.deepStrictEqual(
          log.map((d) => [d.event.data.customer, d.event.data.threshold, d.event.data.creditsUsed]),
          [["d-x", 80, 910]]
        )
        yield* hooks.removeEndpoint("d-late")
      })
    )

    it.effect(
      "leases a due delivery to one claimer, records outcomes under the lease, redelivers, rotates, removes",
      () =>
        Effect.gen(function* () {
          const ledger = yield* Ledger
          const hooks = yield* LedgerWebhooks
          // Earlier tests left deliveries of other endpoints: this one is told apart by its id.
          yield* setUp("c", [{ user: "c-x" }])
          const { endpoint } = yield* hooks.setEndpoint("c-ep", {
            url: "https://example.com/c",
            events: ["usage.threshold_crossed"]
          })
          yield* ledger.ingest([event("c-1", "c-x", 900)])
          const mine = <A extends { readonly url: string }>(claimed: ReadonlyArray<A>) =>
            claimed.filter((c) => c.url === "https://example.com/c")
          const claimed = mine(yield* hooks.claim({ limit: 100, leaseMillis: 60_000 }))
          assert.strictEqual(claimed.length, 1)
          assert.deepStrictEqual(claimed[0]!.secrets, [endpoint.secret!])
          assert.strictEqual(JSON.parse(claimed[0]!.body).id, claimed[0]!.eventId)
          assert.strictEqual(mine(yield* hooks.claim({ limit: 100, leaseMillis: 60_000 })).length, 0, "leased")
          const stats = yield* hooks.stats()
          assert.isAtLeast(stats.pending, 1)
          assert.isNumber(stats.oldestPendingSince)
          yield* hooks.complete(claimed[0]!, {
            status: "pending",
            at: Date.now(),
            lastStatus: 500,
            lastError: "answered 500",
            nextAttemptAt: Date.now() - 1
          })
          const again = mine(yield* hooks.claim({ limit: 100, leaseMillis: 60_000 }))
          assert.strictEqual(again.length, 1)
          assert.strictEqual(again[0]!.attempts, 1)
          // An outcome under a lost lease changes nothing.
          yield* hooks.complete(claimed[0]!, { status: "delivered", at: Date.now(), lastStatus: 200 })
          let [row] = Option.getOrThrow(yield* hooks.deliveries("c-ep", { limit: 10 })).items
          assert.strictEqual(row!.status, "pending")
          assert.strictEqual(row!.lastStatus, 500)
          yield* hooks.complete(again[0]!, { status: "delivered", at: Date.now(), lastStatus: 204 })
          ;[row] = Option.getOrThrow(yield* hooks.deliveries("c-ep", { limit: 10 })).items
          assert.deepStrictEqual([row!.status, row!.attempts, row!.lastStatus], ["delivered", 2, 204])
          assert.isString(row!.deliveredAt)
          assert.notProperty(row!, "nextAttemptAt")
          const redelivered = Option.getOrThrow(yield* hooks.redeliver("c-ep", row!.id))
          assert.strictEqual(redelivered.status, "pending")
          assert.isTrue(Option.isNone(yield* hooks.redeliver("c-ep", "dlv_none")))

          const rotation = Option.getOrThrow(yield* hooks.rotateSecret("c-ep", 3600))
          assert.notStrictEqual(rotation.secret, endpoint.secret)
          const signed = mine(yield* hooks.claim({ limit: 100, leaseMillis: 60_000 }))
          assert.deepStrictEqual(signed[0]!.secrets, [rotation.secret, endpoint.secret!])
          const shown = Option.getOrThrow(yield* hooks.getEndpoint("c-ep"))
          assert.notProperty(shown, "secret")
          assert.strictEqual(shown.previousSecretExpiresAt, rotation.previousSecretExpiresAt)
          yield* hooks.rotateSecret("c-ep", 0)
          assert.notProperty(Option.getOrThrow(yield* hooks.getEndpoint("c-ep")), "previousSecretExpiresAt")
          assert.isTrue(Option.isSome(yield* hooks.removeEndpoint("c-ep")))
          assert.isTrue(Option.isNone(yield* hooks.getEndpoint("c-ep")))
          assert.isTrue(Option.isNone(yield* hooks.removeEndpoint("c-ep")))
          assert.isFalse((yield* hooks.listEndpoints()).some((e) => e.id === "c-ep"))
        })
    )
  })

suite("LedgerWebhooks and alerts on SQLite (LedgerWebhooks.ts, internal/alerts.ts)", sqliteLayer)
suite("LedgerWebhooks and alerts on PostgreSQL (LedgerWebhooks.ts, internal/alerts.ts)", pgLayer)
