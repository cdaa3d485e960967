// Two instances of the service, in one process on layers of their own, over
// one PostgreSQL schema and one Redis of this test's own (a redis-server on
// a free port, stopped by the last test): the throttles of decision 0085
// hold across them, and an instance keeps answering when Redis stops.
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { tmpdir } from "node:os"
import type { CalendarDate } from "@account-overview/core"
import { Ledger, LedgerOverviews, ResellerKeys } from "@account-overview/store"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Context, Effect, Exit, Layer, Option, Redacted, type Scope } from "effect"
import { parseTrustProxy, type TrustProxy } from "../src/ClientAddress.js"
import { Metrics } from "../src/Metrics.js"
import { Settings } from "../src/Settings.js"
import { RedisUnavailable, Throttles } from "../src/Throttle.js"
import { fetchBytes, form, Harness, harness } from "./fixtures/Harness.js"
import { freePort } from "./operator/cluster.js"
import { dropSchemaOnClose, freshSchema, pgUrl } from "./operator/stores.js"

interface OwnRedis {
  readonly url: string
  readonly stop: () => Promise<void>
}

// A redis-server of this test's own, keeping nothing on disk; never the machine's.
const startRedis = async (): Promise<OwnRedis> => {
  const port = await freePort()
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", tmpdir()],
    { stdio: ["ignore", "pipe", "pipe"] }
  )
  await new Promise<void>((resolve, reject) => {
    let out = ""
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${out}`)))
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes("Ready to accept connections")) resolve()
    })
  })
  child.removeAllListeners("exit")
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once("exit", () => resolve())
        child.kill("SIGKILL")
      })
  }
}

const secret = (name: string) => `${name}-key-${randomBytes(6).toString("hex")}`
const acme = { apiUser: "acme", apiKey: secret("acme") }
const rated = { apiUser: "rated", apiKey: secret("rated") }

const seed = Effect.gen(function* () {
  const ledger = yield* Ledger
  yield* ledger.upsertPackage({ name: "Silver", credits: 1_000 })
  for (const reseller of [acme, rated]) yield* ledger.upsertReseller(reseller.apiUser, Redacted.make(reseller.apiKey))
  const customer = (user: string, reseller: string) =>
    ledger.upsertCustomer({
      user,
      reseller,
      package: "Silver",
      billingAnchor: "2024-01-10" as CalendarDate,
      reputation: 90
    })
  yield* customer("mine@acme.example", "acme")
  yield* customer("counted@rated.example", "rated")
}).pipe(Effect.orDie)

// The harness's calls come from 127.0.0.1, the one proxy; the client is the X-Forwarded-For entry.
const behindOneProxy = parseTrustProxy("127.0.0.1") as TrustProxy

describe("two instances sharing Redis", () => {
  it.effect(
    "share the rate limit and the failure budget, cannot be used to lock a reseller out, and tell no customer",
    () =>
      Effect.gen(function* () {
        const redis = yield* Effect.acquireRelease(
          Effect.promise(() => startRedis()),
          (r) => Effect.promise(() => r.stop())
        )
        const schema = freshSchema()
        yield* dropSchemaOnClose(pgUrl, schema)
        const prefix = `t${randomBytes(4).toString("hex")}:`
        const settings = {
          authFailureLimit: 3,
          rateLimitPerMinute: Option.some(5),
          trustProxy: behindOneProxy,
          redisUrl: Option.some(Redacted.make(redis.url)),
          redisKeyPrefix: prefix
        }
        const instance = (scope: Scope.Scope) =>
          Layer.buildWithScope(
            harness({
              settings,
              store: LedgerOverviews.layer.pipe(
                Layer.provideMerge(ResellerKeys.layer),
                Layer.provideMerge(Ledger.layerPg(pgUrl, { schema }).pipe(Layer.orDie))
              )
            }),
            scope
          )
        const scope = yield* Effect.scope
        const a = yield* instance(scope)
        yield* seed.pipe(Effect.provideContext(a))
        const b = yield* instance(scope)
        const [urlA, urlB] = [Context.get(a, Harness).baseUrl, Context.get(b, Harness).baseUrl]
        const both = [urlA, urlB]
        const call = (
          base: string,
          address: string,
          params: { readonly apiUser: string; readonly apiKey: string; readonly user: string }
        ) =>
          fetchBytes(
            `${base}/api/distributor.account.json?${form({
              api_user: params.apiUser,
              api_key: params.apiKey,
              task: "overview",
              user: params.user
            })}`,
            { headers: { "x-forwarded-for": address } }
          )

        // The rate: 5 a minute for the reseller, whichever instance answers.
        let accepted = 0
        for (let i = 0; i < 12; i++) {
          const answer = yield* call(both[i % 2]!, "203.0.113.50", { ...rated, user: "counted@rated.example" })
          if (answer.status === 200) accepted += 1
          else assert.strictEqual(answer.status, 429)
        }
        assert.strictEqual(accepted, 5, "accepted calls over both instances")

        // The failure budget of one address: 3 a minute over both instances.
        let failed = 0
        for (let i = 0; i < 8; i++) {
          const answer = yield* call(both[i % 2]!, "198.51.100.7", { ...acme, apiKey: "guess", user: "x" })
          if (answer.status === 401) failed += 1
          else assert.strictEqual(answer.status, 429)
        }
        assert.strictEqual(failed, 3, "401s for one address over both instances")

        // A lockout attempt: guesses for acme from 30 addresses spread over both
        // instances spend acme's budget; the guessers are refused after that,
        // acme's correct key from a clean address still gets 200 on both.
        for (let i = 0; i < 30; i++) {
          const answer = yield* call(both[i % 2]!, `192.0.2.${i}`, {
            ...acme,
            apiKey: "guess",
            user: "mine@acme.example"
          })
          assert.strictEqual(answer.status, 401)
        }
        const guesser = yield* call(urlB, "192.0.2.0", { ...acme, user: "mine@acme.example" })
        assert.strictEqual(guesser.status, 429)
        for (const base of both) {
          assert.strictEqual((yield* call(base, "203.0.113.9", { ...acme, user: "mine@acme.example" })).status, 200)
        }

        // Probes: a throttled address reads the same for a registered customer
        // and an absent one (status, Retry-After, body); so does an address
        // that failed once, while acme is under attack, in key-only mode.
        const keyOnly = (user: string) => ({ apiUser: "apikey", apiKey: "guess", user })
        const throttled = [
          yield* call(urlB, "198.51.100.7", keyOnly("mine@acme.example")),
          yield* call(urlA, "198.51.100.7", keyOnly("nobody@nowhere.example"))
        ]
        for (const probe of throttled) assert.strictEqual(probe.status, 429)
        assert.strictEqual(throttled[0]!.text, throttled[1]!.text)
        const waits = throttled.map((probe) => Number(probe.headers.get("retry-after")))
        assert.isTrue(waits.every((w) => w > 0) && Math.abs(waits[0]! - waits[1]!) <= 1)
        assert.strictEqual((yield* call(urlA, "198.51.100.99", keyOnly("warm-up@nowhere.example"))).status, 401)
        const probes = [
          yield* call(urlB, "198.51.100.99", keyOnly("mine@acme.example")),
          yield* call(urlA, "198.51.100.99", keyOnly("nobody@nowhere.example"))
        ]
        for (const probe of probes) assert.strictEqual(probe.status, 401)
        assert.strictEqual(probes[0]!.text, probes[1]!.text)

        // Redis stops: both instances go on answering, counting on their own,
        // with the metric and one log line each.
        yield* Effect.promise(() => redis.stop())
        for (const base of both) {
          assert.strictEqual((yield* call(base, "203.0.113.10", { ...acme, user: "mine@acme.example" })).status, 200)
          const metrics = yield* fetchBytes(`${base}/metrics`)
          assert.match(metrics.text, /^throttle_store_errors_total [1-9]/m)
        }
        const guessed: Array<number> = []
        for (let i = 0; i < 4; i++) {
          guessed.push((yield* call(urlA, "198.51.100.200", { ...acme, apiKey: "guess", user: "x" })).status)
        }
        assert.deepStrictEqual(guessed, [401, 401, 401, 429], "the instance's own count holds while Redis is down")
        for (const context of [a, b]) {
          const { logs } = Context.get(context, Harness)
          assert.strictEqual(logs.filter((line) => line.includes("Redis does not answer")).length, 1)
        }
      }),
    180_000
  )
})

describe("an instance whose Redis does not answer at start", () => {
  it.effect("fails to start with a message naming REDIS_URL", () =>
    Effect.gen(function* () {
      const port = yield* Effect.promise(() => freePort())
      const exit = yield* Effect.exit(
        Layer.build(
          Throttles.layer.pipe(
            Layer.provide(Metrics.layer),
            Layer.provide(Settings.layerTest({ redisUrl: Option.some(Redacted.make(`redis://127.0.0.1:${port}`)) }))
          )
        )
      )
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) ? Cause.findErrorOption(exit.cause) : Option.none()
      assert.isTrue(Option.isSome(error) && error.value instanceof RedisUnavailable)
      assert.include(Option.isSome(error) ? error.value.message : "", "REDIS_URL")
    })
  )
})
