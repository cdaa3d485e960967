import type { CalendarDate } from "@account-overview/core"
import { assert, describe, layer } from "@effect/vitest"
import { Effect, type Layer, Option, Redacted } from "effect"
import { Ledger } from "../src/Ledger.js"
import { LedgerPage } from "../src/LedgerPage.js"
import { ledgerLayers } from "./support/ledgerLayers.js"

const { sqlite: sqliteLayer, pg: pgLayer } = ledgerLayers("ao_page")

const session = (tokenHash: string, expiresAt: number, operator = false) => ({
  tokenHash,
  apiUser: operator ? undefined : "acme",
  keyHash: "hash-of-the-key",
  csrfToken: `csrf-${tokenHash}`,
  expiresAt
})

const suite = (name: string, ledgerLayer: Layer.Layer<Ledger | LedgerPage>) =>
  layer(ledgerLayer, { timeout: 60_000 })(name, (it) => {
    it.effect("stores, finds, expires and revokes sessions by token hash", () =>
      Effect.gen(function* () {
        const page = yield* LedgerPage
        yield* page.createSession(session("t1", 2_000), 1_000)
        yield* page.createSession(session("op", 2_000, true), 1_000)
        const found = yield* page.findSession("t1", 1_500)
        assert.deepStrictEqual(Option.getOrUndefined(found), session("t1", 2_000))
        const operator = yield* page.findSession("op", 1_500)
        assert.strictEqual(Option.getOrThrow(operator).apiUser, undefined)
        assert.isTrue(Option.isNone(yield* page.findSession("t1", 2_000)), "expired at its expiry")
        assert.isTrue(Option.isNone(yield* page.findSession("nope", 1_500)))
        yield* page.revokeSession("op")
        assert.isTrue(Option.isNone(yield* page.findSession("op", 1_500)), "revoked")
        // A new session drops the expired ones.
        yield* page.createSession(session("t2", 9_000), 5_000)
        assert.isTrue(Option.isNone(yield* page.findSession("t1", 0)), "t1 was purged")
      })
    )

    it.effect("reads a customer's daily rows in a range, by day, and the resellers' names", () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const page = yield* LedgerPage
        yield* ledger.upsertPackage({ name: "Silver", credits: 100 })
        yield* ledger.upsertReseller("zeta", Redacted.make("zeta-key"))
        yield* ledger.upsertReseller("acme", Redacted.make("acme-key"))
        yield* ledger.upsertCustomer({
          user: "mine@acme.example",
          reseller: "acme",
          package: "Silver",
          billingAnchor: "2024-01-15" as CalendarDate,
          reputation: 90
        })
        yield* ledger.ingest([
          { id: "a", user: "mine@acme.example", requests: 1, credits: 10, occurredAt: "2024-03-02T10:00:00Z" },
          { id: "b", user: "mine@acme.example", requests: 2, credits: 20, occurredAt: "2024-03-01T10:00:00Z" },
          { id: "c", user: "mine@acme.example", requests: 3, credits: 30, occurredAt: "2024-03-01T11:00:00Z" },
          { id: "d", user: "mine@acme.example", requests: 4, credits: 40, occurredAt: "2024-04-01T11:00:00Z" }
        ])
        const days = yield* page.dailyUsage(
          "mine@acme.example",
          "2024-03-01" as CalendarDate,
          "2024-03-31" as CalendarDate
        )
        assert.deepStrictEqual(
          days.map((d) => ({ ...d, day: String(d.day) })),
          [
            { day: "2024-03-01", requests: 5, credits: 50 },
            { day: "2024-03-02", requests: 1, credits: 10 }
          ]
        )
        assert.deepStrictEqual(
          yield* page.dailyUsage("nobody", "2024-03-01" as CalendarDate, "2024-03-31" as CalendarDate),
          []
        )
        assert.deepStrictEqual(yield* page.resellerNames(), ["acme", "zeta"])
      })
    )
  })

describe("LedgerPage", () => {
  suite("LedgerPage on SQLite", sqliteLayer)
  suite("LedgerPage on PostgreSQL", pgLayer)
})
