import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import { afterAll } from "vitest"
import { cli, seed, TestServer, todayUtc } from "../support/Harness.js"

const dir = mkdtempSync(join(tmpdir(), "ao-import-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const nowIso = () => new Date().toISOString().replace(/\.\d+Z$/, "Z")

const customers = ["imp-ndjson", "imp-csv", "imp-bad", "imp-bulk", "imp-conflict", "imp-void"] as const

const Seeded = Layer.effectDiscard(
  seed({
    reseller: "importer",
    apiKey: `key-${crypto.randomUUID()}`,
    packages: [{ name: "Metered", credits: 1_000_000 }],
    customers: customers.map((user) => ({ user, package: "Metered", billingAnchor: todayUtc() }))
  })
).pipe(Layer.provideMerge(TestServer.layer))

const creditsUsed = (user: string) =>
  Effect.gen(function* () {
    const server = yield* TestServer
    const overview = (yield* server.operator("GET", `/v1/customers/${user}/overview`)) as { creditsUsed: number }
    return overview.creditsUsed
  })

const adminEnv = (server: { baseUrl: string; adminToken: string }) => ({
  ACCOUNT_OVERVIEW_BASE_URL: server.baseUrl,
  ACCOUNT_OVERVIEW_ADMIN_TOKEN: server.adminToken
})

layer(Seeded, { excludeTestServices: true, timeout: "30 seconds" })("admin usage import", (it) => {
  it.effect(
    "admin usage void: the events count nowhere, again is a duplicate, an unknown id fails naming its index",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const at = nowIso()
        const events = Array.from({ length: 4 }, (_, i) => ({
          id: `void-${i}`,
          user: "imp-void",
          requests: 1,
          credits: 10 + i,
          occurredAt: at
        }))
        yield* server.operator("POST", "/v1/usage", events)
        assert.strictEqual(yield* creditsUsed("imp-void"), 46)
        const voided = yield* cli(["admin", "usage", "void", "void-1", "void-2"], { env: adminEnv(server) })
        assert.strictEqual(voided.code, 0, voided.stderr)
        assert.deepStrictEqual(JSON.parse(voided.stdout), { voided: 2, duplicates: [] })
        assert.strictEqual(yield* creditsUsed("imp-void"), 23)
        const again = yield* cli(["admin", "usage", "void", "void-1", "--output", "table"], { env: adminEnv(server) })
        assert.strictEqual(again.code, 0, again.stderr)
        assert.strictEqual(again.stdout, 'voided 0 events\nalready voided: "void-1"\n')
        const unknown = yield* cli(["admin", "usage", "void", "void-3", "void-none"], { env: adminEnv(server) })
        assert.strictEqual(unknown.code, 1)
        assert.include(unknown.stderr, "void-none")
        assert.strictEqual(yield* creditsUsed("imp-void"), 23)
      }),
    60_000
  )

  it.effect(
    "NDJSON from a file: a summary, then a re-run counts everything as duplicates",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const file = join(dir, "events.ndjson")
        const at = nowIso()
        writeFileSync(
          file,
          Array.from({ length: 25 }, (_, i) =>
            JSON.stringify({ id: `nd-${i}`, user: "imp-ndjson", requests: 1, credits: i + 1, occurredAt: at })
          ).join("\n") + "\n"
        )
        const first = yield* cli(["admin", "usage", "import", file, "--batch-size", "10"], { env: adminEnv(server) })
        assert.strictEqual(first.code, 0, first.stderr)
        assert.strictEqual(first.stderr, "")
        assert.deepStrictEqual(JSON.parse(first.stdout), {
          events: 25,
          accepted: 25,
          duplicates: 0,
          conflicts: 0,
          invalid: 0,
          batches: 3
        })
        const again = yield* cli(["admin", "usage", "import", file, "-o", "json"], { env: adminEnv(server) })
        assert.strictEqual(again.code, 0, again.stderr)
        assert.deepStrictEqual(JSON.parse(again.stdout), {
          events: 25,
          accepted: 0,
          duplicates: 25,
          conflicts: 0,
          invalid: 0,
          batches: 1
        })
        assert.strictEqual(yield* creditsUsed("imp-ndjson"), (25 * 26) / 2)
      }),
    30_000
  )

  it.effect(
    "CSV from stdin, found by its first byte or named with --input-format; a table summary on request",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const at = nowIso()
        const csv = [
          "occurred_at,id,user,requests,credits",
          `${at},csv-1,imp-csv,2,10`,
          `"${at}","csv-2","imp-csv","1","5"`,
          "",
          `${at},csv-3,imp-csv,1,7`
        ].join("\r\n")
        const sniffed = yield* cli(["admin", "usage", "import", "-"], { env: adminEnv(server), stdin: csv })
        assert.strictEqual(sniffed.code, 0, sniffed.stderr)
        assert.strictEqual(JSON.parse(sniffed.stdout).accepted, 3)
        const named = yield* cli(["admin", "usage", "import", "-", "--input-format", "csv", "-o", "table"], {
          env: adminEnv(server),
          stdin: csv
        })
        assert.strictEqual(named.code, 0, named.stderr)
        assert.strictEqual(
          named.stdout,
          "events      3\naccepted    0\nduplicates  3\nconflicts   0\ninvalid     0\nbatches     1\n"
        )
        assert.strictEqual(yield* creditsUsed("imp-csv"), 22)
        const both = yield* cli(["admin", "usage", "import", "-", "--admin-token-stdin"], {
          env: { ACCOUNT_OVERVIEW_BASE_URL: server.baseUrl },
          stdin: csv
        })
        assert.strictEqual(both.code, 2)
        assert.strictEqual(
          both.stderr,
          "error: --admin-token-stdin and usage import - both read stdin; set ACCOUNT_OVERVIEW_ADMIN_TOKEN instead\n"
        )
      }),
    30_000
  )

  it.effect(
    "bad events are reported with their line numbers, the good ones imported, exit 1",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const at = nowIso()
        const lines = [
          JSON.stringify({ id: "bad-1", user: "imp-bad", requests: 1, credits: 4, occurredAt: at }),
          "{not json",
          JSON.stringify({ id: "bad-2", user: "imp-bad", requests: 1, credits: -4, occurredAt: at }),
          JSON.stringify({ id: "bad-3", user: "imp-bad", requests: 1, credits: 6, occurredAt: "2024-02-30T00:00:00Z" }),
          JSON.stringify({ id: "bad-4", user: "imp-bad", requests: 1, credits: 8, occurredAt: at }),
          JSON.stringify({ id: "bad-5", user: "nobody-at-all", requests: 1, credits: 8, occurredAt: at })
        ]
        const result = yield* cli(["admin", "usage", "import", "-", "-o", "json"], {
          env: adminEnv(server),
          stdin: lines.join("\n")
        })
        assert.strictEqual(result.code, 1)
        const reported = result.stderr.trimEnd().split("\n")
        assert.match(reported[0]!, /^error: line 2: not JSON/)
        assert.strictEqual(reported[1], "error: line 3: credits: Expected a value greater than or equal to 0")
        assert.match(reported[2]!, /^error: line 4: /)
        assert.match(reported[3]!, /^error: line 6: /)
        assert.strictEqual(reported.length, 4)
        const summary = JSON.parse(result.stdout)
        assert.strictEqual(summary.accepted, 2)
        assert.strictEqual(summary.invalid, 4)
        assert.strictEqual(yield* creditsUsed("imp-bad"), 12)
      }),
    30_000
  )

  it.effect(
    "an id sent again with other content is a conflict, reported with its line, exit 1",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const at = nowIso()
        const event = (credits: number) =>
          JSON.stringify({ id: "conflict-1", user: "imp-conflict", requests: 1, credits, occurredAt: at })
        const first = yield* cli(["admin", "usage", "import", "-"], { env: adminEnv(server), stdin: event(3) })
        assert.strictEqual(first.code, 0, first.stderr)
        const second = yield* cli(["admin", "usage", "import", "-"], {
          env: adminEnv(server),
          stdin: `\n${event(5)}\n`
        })
        assert.strictEqual(second.code, 1)
        assert.strictEqual(
          second.stderr,
          'error: line 2: event id "conflict-1" was stored before with other content (conflict)\n'
        )
        assert.strictEqual(JSON.parse(second.stdout).conflicts, 1)
        assert.strictEqual(yield* creditsUsed("imp-conflict"), 3)
      }),
    30_000
  )

  it.effect(
    "100,000 events interrupted with SIGINT mid-way, then run again: the totals are exact",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const file = join(dir, "bulk.csv")
        const at = nowIso()
        const rows = ["id,user,requests,credits,occurred_at"]
        let total = 0
        for (let i = 0; i < 100_000; i++) {
          const credits = (i % 7) + 1
          total += credits
          rows.push(`bulk-${i},imp-bulk,1,${credits},${at}`)
        }
        writeFileSync(file, rows.join("\n") + "\n")
        const started = creditsUsed("imp-bulk").pipe(
          Effect.repeat({ until: (used) => used > 0, schedule: Schedule.spaced("10 millis") }),
          Effect.asVoid,
          Effect.provideService(TestServer, server)
        )
        const interrupted = yield* cli(["admin", "usage", "import", file], {
          env: adminEnv(server),
          interruptWhen: started,
          timeoutMs: 60_000
        })
        assert.strictEqual(interrupted.code, 130, interrupted.stderr)
        assert.match(
          interrupted.stderr,
          /^interrupted after \d+ batches \(\d+ accepted, 0 duplicates\): run the same command again to finish, stored events count as duplicates\n$/
        )
        const partial = yield* creditsUsed("imp-bulk")
        assert.isAbove(partial, 0)
        assert.isBelow(partial, total, "the import was stopped before its end")
        const resumed = yield* cli(["admin", "usage", "import", file, "-o", "json"], {
          env: adminEnv(server),
          timeoutMs: 60_000
        })
        assert.strictEqual(resumed.code, 0, resumed.stderr)
        const summary = JSON.parse(resumed.stdout)
        assert.strictEqual(summary.events, 100_000)
        assert.strictEqual(summary.accepted + summary.duplicates, 100_000)
        assert.isAbove(summary.duplicates, 0)
        assert.strictEqual(summary.batches, 10)
        assert.strictEqual(yield* creditsUsed("imp-bulk"), total)
        const overview = yield* cli(["admin", "customers", "overview", "imp-bulk", "-o", "json"], {
          env: adminEnv(server)
        })
        assert.strictEqual(JSON.parse(overview.stdout).credits_used, total)
      }),
    120_000
  )

  it.effect(
    "a CSV whose header lacks a column imports nothing and says why",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const result = yield* cli(["admin", "usage", "import", "-", "--input-format", "csv"], {
          env: adminEnv(server),
          stdin: "id,user,credits,occurred_at\nx,imp-csv,1,2024-01-01T00:00:00Z\n"
        })
        assert.strictEqual(result.code, 1)
        assert.strictEqual(
          result.stderr,
          "error: line 1: the CSV header must name the columns id,user,requests,credits,occurred_at; it lacks requests\n"
        )
        assert.strictEqual(result.stdout, "")
      }),
    30_000
  )

  it.effect(
    "--dry-run checks and counts the events, reports the bad lines, needs no service or token and sends nothing",
    () =>
      Effect.gen(function* () {
        const file = join(dir, "dry.ndjson")
        const at = nowIso()
        writeFileSync(
          file,
          [
            ...Array.from({ length: 12 }, (_, i) =>
              JSON.stringify({ id: `dry-${i}`, user: "imp-bulk", requests: 1, credits: 1, occurredAt: at })
            ),
            JSON.stringify({ id: "dry-bad", user: "imp-bulk", requests: -1, credits: 1, occurredAt: at })
          ].join("\n") + "\n"
        )
        const before = yield* creditsUsed("imp-bulk")
        const result = yield* cli(["admin", "usage", "import", file, "--dry-run", "--batch-size", "5"])
        assert.strictEqual(result.code, 1)
        assert.deepStrictEqual(JSON.parse(result.stdout), { events: 12, invalid: 1, batches: 3 })
        assert.match(result.stderr, /^error: line 13: requests: /)
        assert.strictEqual(result.stderr.trimEnd().split("\n").length, 1)
        assert.strictEqual(yield* creditsUsed("imp-bulk"), before, "nothing was stored")
        const clean = join(dir, "dry-clean.csv")
        writeFileSync(clean, `id,user,requests,credits,occurred_at\ndc-1,imp-bulk,1,2,${at}\n`)
        const ok = yield* cli(["admin", "usage", "import", clean, "--dry-run", "--fields", "events"])
        assert.strictEqual(ok.code, 0, ok.stderr)
        assert.strictEqual(ok.stdout, '{\n  "events": 1\n}\n')
        const table = yield* cli(
          ["admin", "usage", "import", "-", "--dry-run", "-o", "table", "--input-format", "csv"],
          {
            stdin: `id,user,requests,credits,occurred_at\ndc-2,imp-bulk,1,2,${at}\n`
          }
        )
        assert.strictEqual(table.code, 0, table.stderr)
        assert.strictEqual(table.stdout, "events   1\ninvalid  0\nbatches  1\n")
      }),
    30_000
  )
})
