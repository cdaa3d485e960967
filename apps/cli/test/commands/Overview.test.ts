import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { addDays, cli, closedUrl, secret, seed, TestServer, todayUtc } from "../support/Harness.js"

const apiKey = secret(`key-${crypto.randomUUID()}`)
const reseller = "acme"

const wireFields = [
  "user",
  "reputation",
  "requests",
  "package",
  "credits_allowed",
  "credits_used",
  "credits_remain",
  "credits_overage",
  "billing_start_date",
  "billing_end_date",
  "billing_process_date"
]

const setUp = Effect.gen(function* () {
  const server = yield* TestServer
  const today = todayUtc()
  yield* seed({
    reseller,
    apiKey,
    packages: [
      { name: "Silver Package", credits: 50000, overagePrice: 0.001 },
      { name: "Gold, Plus", credits: 200000 }
    ],
    customers: [
      { user: "alice@example.com", package: "Silver Package", billingAnchor: today, reputation: 100 },
      { user: "bob@example.com", package: "Gold, Plus", billingAnchor: today, reputation: 87.5 }
    ]
  })
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z")
  yield* server.operator("POST", "/v1/usage", [
    { id: "ov-1", user: "alice@example.com", requests: 40, credits: 60000, occurredAt: now },
    { id: "ov-2", user: "alice@example.com", requests: 2, credits: 40000, occurredAt: now },
    { id: "ov-3", user: "bob@example.com", requests: 7, credits: 1234, occurredAt: now }
  ])
})

const Seeded = Layer.effectDiscard(setUp).pipe(Layer.provideMerge(TestServer.layer))

const env = (baseUrl: string) => ({
  ACCOUNT_OVERVIEW_BASE_URL: baseUrl,
  ACCOUNT_OVERVIEW_API_USER: reseller,
  ACCOUNT_OVERVIEW_API_KEY: apiKey
})

layer(Seeded, { excludeTestServices: true, timeout: "30 seconds" })("overview", (it) => {
  it.effect(
    "prints one customer under the wire names, ndjson by default when piped",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const result = yield* cli(["overview", "alice@example.com"], { env: env(server.baseUrl) })
        assert.strictEqual(result.code, 0, result.stderr)
        assert.strictEqual(result.stderr, "")
        const lines = result.stdout.trimEnd().split("\n")
        assert.strictEqual(lines.length, 1)
        const object = JSON.parse(lines[0]!)
        assert.deepStrictEqual(Object.keys(object), wireFields)
        const today = todayUtc()
        assert.deepStrictEqual(object, {
          user: "alice@example.com",
          reputation: 100,
          requests: 42,
          package: "Silver Package",
          credits_allowed: 50000,
          credits_used: 100000,
          credits_remain: 0,
          credits_overage: 50000,
          billing_start_date: today,
          billing_end_date: object.billing_end_date,
          billing_process_date: addDays(object.billing_end_date, 1)
        })
      }),
    30_000
  )

  it.effect(
    "json: one object for one user argument, an array for several",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const one = yield* cli(["overview", "bob@example.com", "--output", "json"], { env: env(server.baseUrl) })
        assert.strictEqual(one.code, 0, one.stderr)
        const bob = JSON.parse(one.stdout)
        assert.strictEqual(bob.user, "bob@example.com")
        assert.strictEqual(bob.credits_used, 1234)
        assert.strictEqual(bob.credits_remain, 200000 - 1234)
        assert.strictEqual(bob.reputation, 87.5)
        const two = yield* cli(["overview", "bob@example.com", "alice@example.com", "-o", "json"], {
          env: env(server.baseUrl)
        })
        assert.strictEqual(two.code, 0, two.stderr)
        const both = JSON.parse(two.stdout)
        assert.isArray(both)
        assert.deepStrictEqual(
          both.map((o: { user: string }) => o.user),
          ["bob@example.com", "alice@example.com"]
        )
      }),
    30_000
  )

  it.effect(
    "the same overview over every wire: json and xml, v1 and v2, POST",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const outputs: Array<string> = []
        for (const format of ["json", "xml"]) {
          for (const dialect of ["v1", "v2"]) {
            const result = yield* cli(
              ["overview", "bob@example.com", "--format", format, "--dialect", dialect, "-o", "ndjson"],
              { env: env(server.baseUrl) }
            )
            assert.strictEqual(result.code, 0, result.stderr)
            outputs.push(result.stdout)
          }
        }
        assert.strictEqual(new Set(outputs).size, 1)
      }),
    30_000
  )

  it.effect(
    "csv: a header row, RFC 4180 quoting",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const result = yield* cli(["overview", "bob@example.com", "alice@example.com", "-o", "csv"], {
          env: env(server.baseUrl)
        })
        assert.strictEqual(result.code, 0, result.stderr)
        const lines = result.stdout.split("\n")
        assert.strictEqual(lines[0], wireFields.join(","))
        assert.match(lines[1]!, /^bob@example\.com,87\.5,7,"Gold, Plus",200000,1234,198766,0,/)
        assert.match(lines[2]!, /^alice@example\.com,100,42,Silver Package,50000,100000,0,50000,/)
        assert.strictEqual(lines[3], "")
      }),
    30_000
  )

  it.effect(
    "xml: the service's own document for one user; a list of results for several",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const one = yield* cli(["overview", "alice@example.com", "-o", "xml"], { env: env(server.baseUrl) })
        assert.strictEqual(one.code, 0, one.stderr)
        const wire = yield* Effect.promise(async () => {
          const response = await fetch(`${server.baseUrl}/api/distributor.account.xml`, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({
              api_user: reseller,
              api_key: apiKey,
              task: "overview",
              user: "alice@example.com"
            })
          })
          return Buffer.from(await response.arrayBuffer()).toString("latin1")
        })
        assert.strictEqual(one.stdout, wire)
        const several = yield* cli(["overview", "alice@example.com", "nobody@example.com", "-o", "xml"], {
          env: env(server.baseUrl)
        })
        assert.strictEqual(several.code, 1)
        assert.include(several.stdout, '<results>\n   <result user="alice@example.com">\n      <overview>')
        assert.include(several.stdout, '<result user="nobody@example.com">\n      <message>error</message>')
      }),
    30_000
  )

  it.effect(
    "table: package, used of allowed with a bar, remaining, overage, cycle and days left, no ANSI when piped",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const result = yield* cli(["overview", "alice@example.com", "bob@example.com", "-o", "table"], {
          env: env(server.baseUrl)
        })
        assert.strictEqual(result.code, 0, result.stderr)
        assert.notMatch(result.stdout, /\x1b\[/)
        const [header, alice, bob] = result.stdout.split("\n")
        assert.match(header!, /^USER +PACKAGE +USED \/ ALLOWED +USAGE +REMAIN +OVERAGE +CYCLE +DAYS LEFT$/)
        const end = JSON.parse(
          (yield* cli(["overview", "alice@example.com", "-o", "json"], { env: env(server.baseUrl) })).stdout
        ).billing_end_date as string
        const daysLeft = Math.round((Date.parse(end) - Date.parse(todayUtc())) / 86_400_000)
        assert.match(
          alice!,
          new RegExp(
            `^alice@example\\.com +Silver Package +100,000 / 50,000 +\\[#{20}\\] 200% +0 +50,000 +${todayUtc()} to ${end} +${daysLeft}$`
          )
        )
        assert.match(bob!, /^bob@example\.com +Gold, Plus +1,234 \/ 200,000 +\[\.{20}\] 1% +198,766 +0 /)
      }),
    30_000
  )

  it.effect(
    "a batch with one failing user prints the others, reports it once on stderr and exits 1",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const result = yield* cli(
          ["overview", "alice@example.com", "ghost@example.com", "bob@example.com", "--output", "ndjson"],
          { env: env(server.baseUrl) }
        )
        assert.strictEqual(result.code, 1)
        assert.strictEqual(result.stderr, 'error: customer "ghost@example.com" was not found (404)\n')
        const lines = result.stdout
          .trimEnd()
          .split("\n")
          .map((l) => JSON.parse(l))
        assert.deepStrictEqual(
          lines.map((l) => l.user),
          ["alice@example.com", "ghost@example.com", "bob@example.com"]
        )
        assert.deepStrictEqual(lines[1], {
          user: "ghost@example.com",
          error: { code: "not_found", status: 404, messages: ["User not found"] }
        })
        const csv = yield* cli(["overview", "alice@example.com", "ghost@example.com", "-o", "csv"], {
          env: env(server.baseUrl)
        })
        assert.strictEqual(csv.code, 1)
        assert.strictEqual(csv.stdout.trimEnd().split("\n").length, 2)
      }),
    30_000
  )

  it.effect(
    "users from a file and from stdin, blank lines and # comments skipped, several at once",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const dir = mkdtempSync(join(tmpdir(), "ao-users-"))
        const file = join(dir, "users.txt")
        const list = "# customers\n\nalice@example.com\n  bob@example.com  \n# done\n"
        writeFileSync(file, list)
        const fromFile = yield* cli(["overview", "--users-file", file, "--concurrency", "2"], {
          env: env(server.baseUrl)
        })
        rmSync(dir, { recursive: true, force: true })
        assert.strictEqual(fromFile.code, 0, fromFile.stderr)
        const fromStdin = yield* cli(["overview", "--users-file", "-"], { env: env(server.baseUrl), stdin: list })
        assert.strictEqual(fromStdin.code, 0, fromStdin.stderr)
        assert.strictEqual(fromStdin.stdout, fromFile.stdout)
        assert.deepStrictEqual(
          fromStdin.stdout
            .trimEnd()
            .split("\n")
            .map((l) => JSON.parse(l).user),
          ["alice@example.com", "bob@example.com"]
        )
        const json = yield* cli(["overview", "--users-file", "-", "-o", "json"], {
          env: env(server.baseUrl),
          stdin: "alice@example.com\n"
        })
        assert.isArray(JSON.parse(json.stdout), "a users file always gives an array")
        const many = yield* cli(["overview", "--users-file", "-", "--concurrency", "16", "-o", "csv"], {
          env: env(server.baseUrl),
          stdin: Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? "alice@example.com" : "bob@example.com")).join(
            "\n"
          )
        })
        assert.strictEqual(many.code, 0, many.stderr)
        const rows = many.stdout.trimEnd().split("\n").slice(1)
        assert.strictEqual(rows.length, 200)
        assert.isTrue(
          rows.every((row, i) => row.startsWith(i % 2 === 0 ? "alice@" : "bob@")),
          "input order is kept"
        )
      }),
    30_000
  )

  it.effect(
    "the key: from stdin, from the environment, from --api-key with a warning; never printed",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const base = { ACCOUNT_OVERVIEW_BASE_URL: server.baseUrl, ACCOUNT_OVERVIEW_API_USER: reseller }
        const stdin = yield* cli(["overview", "alice@example.com", "--api-key-stdin"], {
          env: base,
          stdin: `${apiKey}\nignored\n`
        })
        assert.strictEqual(stdin.code, 0, stdin.stderr)
        assert.strictEqual(stdin.stderr, "")
        const flag = yield* cli(["overview", "alice@example.com", "--api-key", apiKey], { env: base })
        assert.strictEqual(flag.code, 0)
        assert.strictEqual(
          flag.stderr,
          "warning: --api-key is visible to other users of this machine in the process list; prefer --api-key-stdin or ACCOUNT_OVERVIEW_API_KEY\n"
        )
        const none = yield* cli(["overview", "alice@example.com"], { env: base })
        assert.strictEqual(none.code, 2)
        assert.strictEqual(none.stderr, "error: no api key: give --api-key-stdin or set ACCOUNT_OVERVIEW_API_KEY\n")
        const empty = yield* cli(["overview", "alice@example.com", "--api-key-stdin"], { env: base, stdin: "\n" })
        assert.strictEqual(empty.code, 2)
        assert.strictEqual(empty.stderr, "error: no api key on stdin: its first line is empty\n")
        const both = yield* cli(["overview", "--users-file", "-", "--api-key-stdin"], { env: base, stdin: apiKey })
        assert.strictEqual(both.code, 2)
        assert.strictEqual(
          both.stderr,
          "error: --api-key-stdin and --users-file - both read stdin; set ACCOUNT_OVERVIEW_API_KEY instead\n"
        )
        const wrong = secret(`wrong-${crypto.randomUUID()}`)
        const refused = yield* cli(["overview", "alice@example.com", "--api-key-stdin"], { env: base, stdin: wrong })
        assert.strictEqual(refused.code, 1)
        assert.strictEqual(refused.stderr, 'error: the service refused the credentials of api user "acme" (401)\n')
        const help = yield* cli(["overview", "--help"], { env: { ...base, ACCOUNT_OVERVIEW_API_KEY: apiKey } })
        assert.notInclude(help.stdout, apiKey)
      }),
    30_000
  )

  it.effect(
    "exit 3 when the service cannot be reached: connection refused, unknown host, no answer in time",
    () =>
      Effect.gen(function* () {
        const nowhere = yield* closedUrl
        const refused = yield* cli(["overview", "alice@example.com"], { env: env(nowhere) })
        assert.strictEqual(refused.code, 3)
        assert.strictEqual(refused.stderr, `error: cannot reach the service at ${nowhere}: connection refused\n`)
        const unknown = yield* cli(["overview", "alice@example.com", "-o", "csv"], {
          env: env("http://no-such-host.invalid")
        })
        assert.strictEqual(unknown.code, 3)
        assert.strictEqual(
          unknown.stderr,
          "error: cannot reach the service at http://no-such-host.invalid: host name not found\n"
        )
        const silent = createServer(() => {})
        yield* Effect.callback<void>((resume) => {
          silent.listen(0, "127.0.0.1", () => resume(Effect.void))
        })
        const address = silent.address()
        const url = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`
        const slow = yield* cli(["overview", "alice@example.com", "--timeout-ms", "200"], { env: env(url) })
        silent.closeAllConnections()
        silent.close()
        assert.strictEqual(slow.code, 3)
        assert.strictEqual(slow.stderr, `error: the service at ${url} did not answer in time\n`)
        const partly = yield* cli(["overview", "alice@example.com", "bob@example.com", "-o", "ndjson"], {
          env: env(nowhere)
        })
        assert.strictEqual(partly.code, 3)
        assert.strictEqual(partly.stderr.split("\n").length, 3, "one line per user")
      }),
    30_000
  )

  it.effect(
    "settings: flags win over the environment; a missing or bad URL is a usage error",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const flags = yield* cli(
          ["overview", "alice@example.com", "--base-url", server.baseUrl, "--api-user", reseller],
          { env: { ...env(yield* closedUrl), ACCOUNT_OVERVIEW_API_USER: "someone-else" } }
        )
        assert.strictEqual(flags.code, 0, flags.stderr)
        const noUrl = yield* cli(["overview", "alice@example.com"], { env: { ACCOUNT_OVERVIEW_API_KEY: apiKey } })
        assert.strictEqual(noUrl.code, 2)
        assert.strictEqual(noUrl.stderr, "error: no service URL: give --base-url or set ACCOUNT_OVERVIEW_BASE_URL\n")
        const badUrl = yield* cli(["overview", "alice@example.com", "--base-url", "localhost:8080"], {
          env: env(server.baseUrl)
        })
        assert.strictEqual(badUrl.code, 2)
        const withPassword = yield* cli(
          ["overview", "alice@example.com", "--base-url", "http://bob:hunter2@127.0.0.1:1"],
          {
            env: env(server.baseUrl)
          }
        )
        assert.strictEqual(withPassword.code, 2)
        assert.strictEqual(withPassword.stderr, "error: the service URL must not carry a user name or password\n")
        const noFile = yield* cli(["overview", "--users-file", "/nonexistent/users.txt"], { env: env(server.baseUrl) })
        assert.strictEqual(noFile.code, 2)
        assert.strictEqual(noFile.stderr, 'error: cannot read users file "/nonexistent/users.txt": no such file\n')
      }),
    30_000
  )

  it.effect(
    "--profile takes the connection from the config file; --fields picks and orders the JSON's keys",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const home = mkdtempSync(join(tmpdir(), "ao-profile-"))
        mkdirSync(join(home, "account-overview"))
        writeFileSync(
          join(home, "account-overview", "config.json"),
          JSON.stringify({ profiles: { local: { baseUrl: server.baseUrl, apiUser: reseller, apiKey } } }),
          { mode: 0o600 }
        )
        const result = yield* cli(
          ["overview", "alice@example.com", "bob@example.com", "--profile", "local", "--fields", "credits_used,user"],
          { env: { XDG_CONFIG_HOME: home } }
        )
        assert.strictEqual(result.code, 0, result.stderr)
        assert.strictEqual(result.stderr, "")
        assert.strictEqual(
          result.stdout,
          '{"credits_used":100000,"user":"alice@example.com"}\n{"credits_used":1234,"user":"bob@example.com"}\n'
        )
        const byEnv = yield* cli(["overview", "alice@example.com", "--fields", "package", "-o", "json"], {
          env: { XDG_CONFIG_HOME: home, ACCOUNT_OVERVIEW_PROFILE: "local" }
        })
        assert.strictEqual(byEnv.code, 0, byEnv.stderr)
        assert.strictEqual(byEnv.stdout, '{\n  "package": "Silver Package"\n}\n')
        rmSync(home, { recursive: true, force: true })
      }),
    30_000
  )

  it.effect(
    "refuses a config file holding the key that others may read, an unknown profile or field, before any request",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const home = mkdtempSync(join(tmpdir(), "ao-profile-"))
        mkdirSync(join(home, "account-overview"))
        const path = join(home, "account-overview", "config.json")
        writeFileSync(
          path,
          JSON.stringify({ profiles: { default: { baseUrl: server.baseUrl, apiUser: reseller, apiKey } } })
        )
        chmodSync(path, 0o644)
        const open = yield* cli(["overview", "alice@example.com"], { env: { XDG_CONFIG_HOME: home } })
        assert.strictEqual(open.code, 2)
        assert.strictEqual(
          open.stderr,
          `error: ${path} holds a key or token and others may read it (mode 644): run chmod 600 ${path}\n`
        )
        assert.strictEqual(open.stdout, "")
        chmodSync(path, 0o600)
        const unknown = yield* cli(["overview", "alice@example.com", "--profile", "nope"], {
          env: { XDG_CONFIG_HOME: home }
        })
        assert.strictEqual(unknown.code, 2)
        assert.strictEqual(unknown.stderr, `error: no profile "nope" in ${path}; its profiles: default\n`)
        const badField = yield* cli(["overview", "alice@example.com", "--fields", "user,secret_sauce"], {
          env: { XDG_CONFIG_HOME: home }
        })
        assert.strictEqual(badField.code, 2)
        assert.strictEqual(
          badField.stderr,
          `error: unknown field "secret_sauce" for --fields; the fields: ${wireFields.join(", ")}\n`
        )
        const withCsv = yield* cli(["overview", "alice@example.com", "--fields", "user", "-o", "csv"], {
          env: { XDG_CONFIG_HOME: home }
        })
        assert.strictEqual(withCsv.code, 2)
        assert.strictEqual(withCsv.stderr, "error: --fields goes with --output json or ndjson, not csv\n")
        rmSync(home, { recursive: true, force: true })
      }),
    30_000
  )
})
