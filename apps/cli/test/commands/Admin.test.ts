import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { cli, closedUrl, secret, seed, TestServer, todayUtc } from "../support/Harness.js"

const bulk = 1005

const Seeded = Layer.effectDiscard(
  Effect.gen(function* () {
    const server = yield* TestServer
    yield* seed({
      reseller: "bulk-reseller",
      apiKey: secret(`key-${crypto.randomUUID()}`),
      packages: [{ name: "Bulk", credits: 10 }],
      customers: []
    })
    yield* Effect.forEach(
      Array.from({ length: bulk }, (_, i) => `bulk-${String(i).padStart(4, "0")}@example.com`),
      (user) =>
        server.operator("PUT", `/v1/customers/${user}`, {
          reseller: "bulk-reseller",
          package: "Bulk",
          billingAnchor: "2024-01-31",
          reputation: 50
        }),
      { concurrency: 8, discard: true }
    )
  })
).pipe(Layer.provideMerge(TestServer.layer))

const adminEnv = (server: { baseUrl: string; adminToken: string }) => ({
  ACCOUNT_OVERVIEW_BASE_URL: server.baseUrl,
  ACCOUNT_OVERVIEW_ADMIN_TOKEN: server.adminToken
})

layer(Seeded, { excludeTestServices: true, timeout: "60 seconds" })("admin", (it) => {
  it.effect(
    "packages set and list, in every listing format",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const env = adminEnv(server)
        const set = yield* cli(
          ["admin", "packages", "set", "Silver, Gold", "--credits", "50000", "--overage-price", "0.001"],
          {
            env
          }
        )
        assert.strictEqual(set.code, 0, set.stderr)
        assert.deepStrictEqual(JSON.parse(set.stdout), { name: "Silver, Gold", credits: 50000, overagePrice: 0.001 })
        const table = yield* cli(["admin", "packages", "set", "Free", "--credits", "100", "-o", "table"], { env })
        assert.strictEqual(table.stdout, "name           Free\ncredits        100\noverage price\n")
        const csv = yield* cli(["admin", "packages", "list", "-o", "csv"], { env })
        assert.strictEqual(csv.code, 0, csv.stderr)
        const lines = csv.stdout.trimEnd().split("\n")
        assert.strictEqual(lines[0], "name,credits,overagePrice")
        assert.include(lines, '"Silver, Gold",50000,0.001')
        assert.include(lines, "Free,100,")
        const ndjson = yield* cli(["admin", "packages", "list"], { env })
        const names = ndjson.stdout
          .trimEnd()
          .split("\n")
          .map((l) => JSON.parse(l).name)
        assert.includeMembers(names, ["Silver, Gold", "Free", "Bulk"])
        const tableList = yield* cli(["admin", "packages", "list", "-o", "table"], { env })
        assert.match(tableList.stdout, /^NAME +CREDITS +OVERAGE PRICE\n/)
        assert.match(tableList.stdout, /\nSilver, Gold +50000 +0\.001\n/)
      }),
    30_000
  )

  it.effect(
    "resellers: a generated key is printed once; a chosen key comes from stdin; rotate-key replaces it",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const env = adminEnv(server)
        yield* cli(["admin", "packages", "set", "Starter", "--credits", "1000"], { env })
        const created = yield* cli(["admin", "resellers", "set", "north", "-o", "table"], { env })
        assert.strictEqual(created.code, 0, created.stderr)
        const generated = /^api key: (\S+)$/m.exec(created.stdout)?.[1]
        assert.isString(generated)
        assert.match(created.stdout, /^created reseller "north"\n/)
        assert.strictEqual(created.stderr, "note: the api key is shown this once; store it now\n")
        secret(generated!)
        yield* cli(
          [
            "admin",
            "customers",
            "set",
            "n1@example.com",
            "--reseller",
            "north",
            "--package",
            "Starter",
            "--billing-anchor",
            todayUtc(),
            "--reputation",
            "90"
          ],
          { env }
        )
        const overviewEnv = { ACCOUNT_OVERVIEW_BASE_URL: server.baseUrl, ACCOUNT_OVERVIEW_API_USER: "north" }
        const withGenerated = yield* cli(["overview", "n1@example.com", "--api-key-stdin"], {
          env: overviewEnv,
          stdin: generated!
        })
        assert.strictEqual(withGenerated.code, 0, withGenerated.stderr)

        const chosen = secret(`chosen-${crypto.randomUUID()}`)
        const set = yield* cli(["admin", "resellers", "set", "north", "--api-key-stdin"], { env, stdin: `${chosen}\n` })
        assert.strictEqual(set.code, 0, set.stderr)
        assert.deepStrictEqual(JSON.parse(set.stdout), { apiUser: "north", created: false })
        const withChosen = yield* cli(["overview", "n1@example.com", "--api-key-stdin"], {
          env: overviewEnv,
          stdin: chosen
        })
        assert.strictEqual(withChosen.code, 0, withChosen.stderr)
        const withOld = yield* cli(["overview", "n1@example.com", "--api-key-stdin"], {
          env: overviewEnv,
          stdin: generated!
        })
        assert.strictEqual(withOld.code, 1)

        const rotated = yield* cli(["admin", "resellers", "rotate-key", "north", "-o", "json"], { env })
        assert.strictEqual(rotated.code, 0, rotated.stderr)
        const result = JSON.parse(rotated.stdout)
        assert.strictEqual(result.apiUser, "north")
        assert.isString(result.apiKey)
        secret(result.apiKey)
        const afterRotation = yield* cli(["overview", "n1@example.com", "--api-key-stdin"], {
          env: overviewEnv,
          stdin: chosen
        })
        assert.strictEqual(afterRotation.code, 1)
        const rotatedWorks = yield* cli(["overview", "n1@example.com", "--api-key-stdin"], {
          env: overviewEnv,
          stdin: result.apiKey
        })
        assert.strictEqual(rotatedWorks.code, 0, rotatedWorks.stderr)

        const missing = yield* cli(["admin", "resellers", "rotate-key", "nobody"], { env })
        assert.strictEqual(missing.code, 1)
        assert.strictEqual(missing.stderr, 'error: reseller "nobody" was not found (404)\n')
      }),
    30_000
  )

  it.effect(
    "customers set, get and overview; an unknown customer is one sentence and exit 1",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const env = adminEnv(server)
        const set = yield* cli(
          [
            "admin",
            "customers",
            "set",
            "c1@example.com",
            "--reseller",
            "bulk-reseller",
            "--package",
            "Bulk",
            "--billing-anchor",
            "2024-01-31",
            "--reputation",
            "75.5"
          ],
          { env }
        )
        assert.strictEqual(set.code, 0, set.stderr)
        const customer = {
          user: "c1@example.com",
          reseller: "bulk-reseller",
          package: "Bulk",
          billingAnchor: "2024-01-31",
          reputation: 75.5
        }
        assert.deepStrictEqual(JSON.parse(set.stdout), customer)
        const got = yield* cli(["admin", "customers", "get", "c1@example.com"], { env })
        assert.deepStrictEqual(JSON.parse(got.stdout), customer)
        const table = yield* cli(["admin", "customers", "get", "c1@example.com", "-o", "table"], { env })
        assert.strictEqual(
          table.stdout,
          "user            c1@example.com\nreseller        bulk-reseller\npackage         Bulk\nbilling anchor  2024-01-31\nreputation      75.5\ntime zone\n"
        )
        const overview = yield* cli(
          ["admin", "customers", "overview", "c1@example.com", "--date", "2024-02-29", "-o", "json"],
          {
            env
          }
        )
        assert.strictEqual(overview.code, 0, overview.stderr)
        const o = JSON.parse(overview.stdout)
        assert.strictEqual(o.user, "c1@example.com")
        assert.strictEqual(o.billing_start_date, "2024-02-29")
        assert.strictEqual(o.billing_end_date, "2024-03-30")
        assert.strictEqual(o.billing_process_date, "2024-03-31")
        assert.strictEqual(o.credits_allowed, 10)
        const unknown = yield* cli(["admin", "customers", "get", "ghost@example.com"], { env })
        assert.strictEqual(unknown.code, 1)
        assert.strictEqual(unknown.stdout, "")
        assert.strictEqual(unknown.stderr, 'error: customer "ghost@example.com" was not found (404)\n')
        const unknownOverview = yield* cli(["admin", "customers", "overview", "ghost@example.com"], { env })
        assert.strictEqual(unknownOverview.code, 1)
        assert.strictEqual(unknownOverview.stderr, 'error: customer "ghost@example.com" was not found (404)\n')
      }),
    30_000
  )

  it.effect(
    `customers list follows the pages to the end (${bulk} customers), or stops at --limit and gives the cursor`,
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const env = adminEnv(server)
        const all = yield* cli(["admin", "customers", "list", "--reseller", "bulk-reseller", "-o", "ndjson"], { env })
        assert.strictEqual(all.code, 0, all.stderr)
        const users = all.stdout
          .trimEnd()
          .split("\n")
          .map((l) => JSON.parse(l).user as string)
          .filter((u) => u.startsWith("bulk-"))
        assert.strictEqual(users.length, bulk)
        assert.strictEqual(new Set(users).size, bulk)

        const first = yield* cli(
          ["admin", "customers", "list", "--reseller", "bulk-reseller", "--limit", "3", "-o", "csv"],
          {
            env
          }
        )
        assert.strictEqual(first.code, 0, first.stderr)
        const firstRows = first.stdout.trimEnd().split("\n")
        assert.strictEqual(firstRows[0], "user,reseller,package,billingAnchor,reputation,timeZone")
        assert.strictEqual(firstRows.length, 4)
        const cursor = /^next cursor: (\S+)$/.exec(first.stderr.trimEnd())?.[1]
        assert.isString(cursor)
        const next = yield* cli(
          [
            "admin",
            "customers",
            "list",
            "--reseller",
            "bulk-reseller",
            "--limit",
            "3",
            "--cursor",
            cursor!,
            "-o",
            "csv"
          ],
          { env }
        )
        const nextRows = next.stdout.trimEnd().split("\n")
        assert.strictEqual(nextRows.length, 4)
        assert.notInclude(firstRows.slice(1), nextRows[1])
        const json = yield* cli(["admin", "customers", "list", "--reseller", "nobody-here", "-o", "json"], { env })
        assert.strictEqual(json.code, 0, json.stderr)
        assert.deepStrictEqual(JSON.parse(json.stdout), [])
      }),
    30_000
  )

  it.effect(
    "overviews of all of a reseller's customers, following the pages",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const env = adminEnv(server)
        const result = yield* cli(
          ["admin", "overviews", "--reseller", "bulk-reseller", "--date", "2024-03-01", "-o", "csv"],
          {
            env
          }
        )
        assert.strictEqual(result.code, 0, result.stderr)
        const rows = result.stdout.trimEnd().split("\n")
        assert.strictEqual(
          rows[0],
          "user,reputation,requests,package,credits_allowed,credits_used,credits_remain,credits_overage,billing_start_date,billing_end_date,billing_process_date"
        )
        const bulkRows = rows.filter((r) => r.startsWith("bulk-"))
        assert.strictEqual(bulkRows.length, bulk)
        assert.strictEqual(bulkRows[0], "bulk-0000@example.com,50,0,Bulk,10,0,10,0,2024-02-29,2024-03-30,2024-03-31")
        const missing = yield* cli(["admin", "overviews", "--reseller", "nobody"], { env })
        assert.strictEqual(missing.code, 1)
        assert.strictEqual(missing.stderr, 'error: reseller "nobody" was not found (404)\n')
      }),
    30_000
  )

  it.effect(
    "cycles history and report: a customer's cycles, a reseller's overage of a closing day",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const env = adminEnv(server)
        yield* server.operator("PUT", "/v1/packages/Cyc", { credits: 10, overagePrice: 0.5 })
        yield* server.operator("PUT", "/v1/resellers/cyc-reseller", { apiKey: secret(`key-${crypto.randomUUID()}`) })
        yield* server.operator("PUT", "/v1/customers/cyc@example.com", {
          reseller: "cyc-reseller",
          package: "Cyc",
          billingAnchor: "2025-01-01",
          reputation: 100,
          timeZone: "Pacific/Auckland"
        })
        yield* server.operator("POST", "/v1/usage", [
          { id: "cyc-1", user: "cyc@example.com", requests: 1, credits: 15, occurredAt: "2025-03-31T12:30:00Z" }
        ])
        const history = yield* cli(
          ["admin", "cycles", "history", "cyc@example.com", "--from", "2025-03-01", "--to", "2025-04-15", "-o", "csv"],
          { env }
        )
        assert.strictEqual(history.code, 0, history.stderr)
        assert.deepStrictEqual(history.stdout.trimEnd().split("\n"), [
          "start,end,processDate,closed,package,creditsAllowed,creditsUsed,creditsOverage,requests",
          "2025-03-01,2025-03-31,2025-04-01,true,Cyc,10,0,0,0",
          "2025-04-01,2025-04-30,2025-05-01,true,Cyc,10,15,5,1"
        ])
        const report = yield* cli(
          ["admin", "cycles", "report", "--reseller", "cyc-reseller", "--closed-on", "2025-05-01", "-o", "csv"],
          { env }
        )
        assert.strictEqual(report.code, 0, report.stderr)
        assert.deepStrictEqual(report.stdout.trimEnd().split("\n"), [
          "user,timeZone,start,end,processDate,package,creditsAllowed,creditsUsed,creditsOverage,requests,overagePrice,overageAmount",
          "cyc@example.com,Pacific/Auckland,2025-04-01,2025-04-30,2025-05-01,Cyc,10,15,5,1,0.5,2.5"
        ])
        const json = yield* cli(
          ["admin", "cycles", "report", "--reseller", "cyc-reseller", "--closed-on", "2025-05-01", "-o", "json"],
          { env }
        )
        assert.strictEqual(JSON.parse(json.stdout)[0].overageAmount, 2.5)
        const missing = yield* cli(["admin", "cycles", "history", "nobody@example.com"], { env })
        assert.strictEqual(missing.code, 1)
        const badDate = yield* cli(
          ["admin", "cycles", "report", "--reseller", "cyc-reseller", "--closed-on", "2025-02-30"],
          { env }
        )
        assert.strictEqual(badDate.code, 2)
      }),
    30_000
  )

  it.effect(
    "time zones: --time-zone on customers set and resellers set; a zone that is not one is a usage error, exit 2",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const env = adminEnv(server)
        yield* server.operator("PUT", "/v1/packages/Tz", { credits: 10 })
        const created = yield* cli(["admin", "resellers", "set", "tz-reseller", "--time-zone", "America/New_York"], {
          env
        })
        assert.strictEqual(created.code, 0, created.stderr)
        const { apiKey, ...result } = JSON.parse(created.stdout)
        secret(apiKey)
        assert.deepStrictEqual(result, { apiUser: "tz-reseller", created: true })
        const unchanged = yield* cli(["admin", "resellers", "set", "tz-reseller"], { env })
        assert.deepStrictEqual(JSON.parse(unchanged.stdout), { apiUser: "tz-reseller", created: false })
        const customer = [
          "admin",
          "customers",
          "set",
          "tz@example.com",
          "--reseller",
          "tz-reseller",
          "--package",
          "Tz",
          "--billing-anchor",
          "2025-01-01",
          "--reputation",
          "100"
        ]
        const inherited = yield* cli(customer, { env })
        assert.strictEqual(inherited.code, 0, inherited.stderr)
        assert.notProperty(JSON.parse(inherited.stdout), "timeZone")
        const byReseller = (yield* server.operator("GET", "/v1/customers/tz@example.com/cycles")) as {
          timeZone: string
        }
        assert.strictEqual(byReseller.timeZone, "America/New_York", "the reseller's zone, kept by a set without one")

        const own = yield* cli([...customer, "--time-zone", "Pacific/Auckland"], { env })
        assert.strictEqual(own.code, 0, own.stderr)
        assert.deepStrictEqual(JSON.parse(own.stdout), {
          user: "tz@example.com",
          reseller: "tz-reseller",
          package: "Tz",
          billingAnchor: "2025-01-01",
          reputation: 100,
          timeZone: "Pacific/Auckland"
        })
        const table = yield* cli(["admin", "customers", "get", "tz@example.com", "-o", "table"], { env })
        assert.include(table.stdout.split("\n"), "time zone       Pacific/Auckland")
        const fields = yield* cli(["admin", "customers", "get", "tz@example.com", "--fields", "user,timeZone"], { env })
        assert.strictEqual(fields.stdout, '{\n  "user": "tz@example.com",\n  "timeZone": "Pacific/Auckland"\n}\n')

        const unknown = yield* cli([...customer, "--time-zone", "Mars/Olympus"], { env })
        assert.strictEqual(unknown.code, 2)
        assert.strictEqual(unknown.stdout, "")
        assert.strictEqual(
          unknown.stderr,
          'error: invalid --time-zone: expected an IANA time zone name such as Europe/London, not "Mars/Olympus"; see account-overview admin customers set --help\n'
        )
        const kept = (yield* server.operator("GET", "/v1/customers/tz@example.com")) as { timeZone?: string }
        assert.strictEqual(kept.timeZone, "Pacific/Auckland", "a refused zone changes nothing")
        const offset = yield* cli(["admin", "resellers", "set", "tz-reseller", "--time-zone", "+03:00"], { env })
        assert.strictEqual(offset.code, 2)
        assert.strictEqual(
          offset.stderr,
          'error: invalid --time-zone: expected an IANA time zone name such as Europe/London, not "+03:00"; see account-overview admin resellers set --help\n'
        )
        const cleared = yield* cli(customer, { env })
        assert.notProperty(JSON.parse(cleared.stdout), "timeZone", "a customers set without --time-zone clears it")
      }),
    30_000
  )

  it.effect(
    "change-package from the next cycle or now, cancel-package-change: what is in force and what is scheduled",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const env = adminEnv(server)
        yield* seed({
          reseller: "pc-reseller",
          apiKey: secret(`key-${crypto.randomUUID()}`),
          packages: [
            { name: "Small", credits: 10 },
            { name: "Large", credits: 1000 }
          ],
          customers: [{ user: "pc@example.com", package: "Small", billingAnchor: "2025-01-15" }]
        })
        const before = todayUtc()
        const overview = (yield* server.operator("GET", "/v1/customers/pc@example.com/overview")) as {
          billingProcessDate: string
        }
        const nextCycle = overview.billingProcessDate
        const always = { package: "Small", from: "0001-01-01" }

        const scheduled = yield* cli(["admin", "customers", "change-package", "pc@example.com", "Large"], { env })
        assert.strictEqual(scheduled.code, 0, scheduled.stderr)
        assert.deepStrictEqual(JSON.parse(scheduled.stdout), {
          user: "pc@example.com",
          current: always,
          scheduled: { package: "Large", from: nextCycle }
        })
        const again = yield* cli(
          [
            "admin",
            "customers",
            "change-package",
            "pc@example.com",
            "Large",
            "--effective",
            "next-cycle",
            "-o",
            "table"
          ],
          { env }
        )
        assert.strictEqual(
          again.stdout,
          `user               pc@example.com\npackage            Small\nfrom               0001-01-01\nscheduled package  Large\nscheduled from     ${nextCycle}\n`
        )
        const only = yield* cli(
          ["admin", "customers", "change-package", "pc@example.com", "Large", "--fields", "scheduled"],
          { env }
        )
        assert.deepStrictEqual(JSON.parse(only.stdout), { scheduled: { package: "Large", from: nextCycle } })

        const cancelled = yield* cli(["admin", "customers", "cancel-package-change", "pc@example.com"], { env })
        assert.strictEqual(cancelled.code, 0, cancelled.stderr)
        assert.deepStrictEqual(JSON.parse(cancelled.stdout), { user: "pc@example.com", current: always })
        const cancelledTable = yield* cli(
          ["admin", "customers", "cancel-package-change", "pc@example.com", "-o", "table"],
          { env }
        )
        assert.strictEqual(
          cancelledTable.stdout,
          "user               pc@example.com\npackage            Small\nfrom               0001-01-01\nscheduled package\nscheduled from\n"
        )
        const customer = (yield* server.operator("GET", "/v1/customers/pc@example.com")) as { package: string }
        assert.strictEqual(customer.package, "Small")

        const now = yield* cli(
          ["admin", "customers", "change-package", "pc@example.com", "Large", "--effective", "now"],
          { env }
        )
        assert.strictEqual(now.code, 0, now.stderr)
        const changed = JSON.parse(now.stdout)
        assert.strictEqual(changed.current.package, "Large")
        assert.include([before, todayUtc()], changed.current.from)
        assert.notProperty(changed, "scheduled")
        const allowed = (yield* server.operator("GET", "/v1/customers/pc@example.com/overview")) as {
          creditsAllowed: number
        }
        assert.strictEqual(allowed.creditsAllowed, 1000, "the current cycle has the new allowance")

        const noPackage = yield* cli(["admin", "customers", "change-package", "pc@example.com", "Nope"], { env })
        assert.strictEqual(noPackage.code, 1)
        assert.match(
          noPackage.stderr,
          /^error: the service refused the request for customer "pc@example\.com": .*no package "Nope".* \(400\)\n$/
        )
        const noCustomer = yield* cli(["admin", "customers", "change-package", "ghost@example.com", "Large"], { env })
        assert.strictEqual(noCustomer.code, 1)
        assert.strictEqual(noCustomer.stderr, 'error: customer "ghost@example.com" was not found (404)\n')
        const noCancel = yield* cli(["admin", "customers", "cancel-package-change", "ghost@example.com"], { env })
        assert.strictEqual(noCancel.code, 1)
        assert.strictEqual(noCancel.stderr, 'error: customer "ghost@example.com" was not found (404)\n')
        const badEffective = yield* cli(
          ["admin", "customers", "change-package", "pc@example.com", "Large", "--effective", "later"],
          { env }
        )
        assert.strictEqual(badEffective.code, 2)
        const badFields = yield* cli(
          ["admin", "customers", "cancel-package-change", "pc@example.com", "--fields", "package"],
          { env }
        )
        assert.strictEqual(badFields.code, 2)
        assert.strictEqual(
          badFields.stderr,
          'error: unknown field "package" for --fields; the fields: user, current, scheduled\n'
        )
      }),
    30_000
  )

  it.effect(
    "the operator token: from the environment or stdin; missing is exit 2, wrong is exit 1, never printed",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const viaStdin = yield* cli(["admin", "packages", "list", "--admin-token-stdin"], {
          env: { ACCOUNT_OVERVIEW_BASE_URL: server.baseUrl },
          stdin: `${server.adminToken}\n`
        })
        assert.strictEqual(viaStdin.code, 0, viaStdin.stderr)
        const missing = yield* cli(["admin", "packages", "list"], {
          env: { ACCOUNT_OVERVIEW_BASE_URL: server.baseUrl }
        })
        assert.strictEqual(missing.code, 2)
        assert.strictEqual(
          missing.stderr,
          "error: no operator token: set ACCOUNT_OVERVIEW_ADMIN_TOKEN or give --admin-token-stdin\n"
        )
        const wrong = secret(`wrong-${crypto.randomUUID()}`)
        const refused = yield* cli(["admin", "packages", "list"], {
          env: { ACCOUNT_OVERVIEW_BASE_URL: server.baseUrl, ACCOUNT_OVERVIEW_ADMIN_TOKEN: wrong }
        })
        assert.strictEqual(refused.code, 1)
        assert.strictEqual(refused.stderr, "error: the service refused the credentials of the operator token (401)\n")
        const nowhere = yield* closedUrl
        const unreachable = yield* cli(["admin", "packages", "list"], {
          env: { ...adminEnv(server), ACCOUNT_OVERVIEW_BASE_URL: nowhere }
        })
        assert.strictEqual(unreachable.code, 3)
        assert.strictEqual(unreachable.stderr, `error: cannot reach the service at ${nowhere}: connection refused\n`)
      }),
    30_000
  )

  it.effect(
    "--fields on listings, records and overviews; an admin token from a named profile",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const env = adminEnv(server)
        const listed = yield* cli(
          ["admin", "customers", "list", "--reseller", "bulk-reseller", "--limit", "2", "--fields", "reputation,user"],
          { env }
        )
        assert.strictEqual(listed.code, 0, listed.stderr)
        assert.deepStrictEqual(
          listed.stdout
            .trimEnd()
            .split("\n")
            .map((line) => JSON.parse(line)),
          [
            { reputation: 50, user: "bulk-0000@example.com" },
            { reputation: 50, user: "bulk-0001@example.com" }
          ]
        )
        assert.deepStrictEqual(Object.keys(JSON.parse(listed.stdout.split("\n")[0]!)), ["reputation", "user"])
        const record = yield* cli(["admin", "customers", "get", "bulk-0002@example.com", "--fields", "package"], {
          env
        })
        assert.strictEqual(record.code, 0, record.stderr)
        assert.strictEqual(record.stdout, '{\n  "package": "Bulk"\n}\n')
        const overviews = yield* cli(
          ["admin", "overviews", "--reseller", "bulk-reseller", "--fields", "user,credits_allowed"],
          { env }
        )
        assert.strictEqual(overviews.code, 0, overviews.stderr)
        const lines = overviews.stdout.trimEnd().split("\n")
        assert.isAtLeast(lines.length, bulk, "every page of the reseller's overviews")
        for (const line of lines) assert.deepStrictEqual(Object.keys(JSON.parse(line)), ["user", "credits_allowed"])
        assert.strictEqual(lines[0], '{"user":"bulk-0000@example.com","credits_allowed":10}')
        const refused = yield* cli(["admin", "packages", "list", "--fields", "name", "-o", "table"], { env })
        assert.strictEqual(refused.code, 2)
        assert.strictEqual(refused.stderr, "error: --fields goes with --output json or ndjson, not table\n")

        const home = mkdtempSync(join(tmpdir(), "ao-profile-"))
        mkdirSync(join(home, "account-overview"))
        writeFileSync(
          join(home, "account-overview", "config.json"),
          JSON.stringify({
            profiles: { ops: { baseUrl: server.baseUrl, adminToken: server.adminToken, timeoutMs: 20000 } }
          }),
          { mode: 0o600 }
        )
        const viaProfile = yield* cli(["admin", "packages", "list", "--profile", "ops", "--fields", "name"], {
          env: { XDG_CONFIG_HOME: home }
        })
        assert.strictEqual(viaProfile.code, 0, viaProfile.stderr)
        assert.include(viaProfile.stdout.trimEnd().split("\n"), '{"name":"Bulk"}')
        rmSync(home, { recursive: true, force: true })
      }),
    60_000
  )
})
