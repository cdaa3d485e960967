import { randomBytes } from "node:crypto"
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { outagePostgres, postgresBin } from "./cluster.js"
import { type Answer, call, fetchAnswer, makeEvents, type TestEvent, todayUtc, totalsByUser } from "./http.js"
import { ensureBuilt, eventually, type Instance, server, spawnServer } from "./processes.js"
import {
  createSchema,
  databaseUrlFor,
  dropSchemaOnClose,
  freshSchema,
  pgUrl,
  type StoreKind,
  storeKinds,
  urlWithSchema
} from "./stores.js"

const token = randomBytes(24).toString("base64url")

beforeAll(() => ensureBuilt(), 120_000)

const databaseFor = (kind: StoreKind) => databaseUrlFor(kind, "ao-proc-")

const must = async (base: string, method: string, path: string, json?: unknown): Promise<Answer> => {
  const answer = await fetchAnswer(base, method, path, json === undefined ? { token } : { token, json })
  if (answer.status !== 200) throw new Error(`${method} ${path}: ${answer.status} ${answer.text}`)
  return answer
}

const seed = (base: string, prefix: string, customers: number) =>
  Effect.promise(async () => {
    await must(base, "PUT", `/v1/packages/${prefix}-silver`, { credits: 50_000 })
    const reseller = await must(base, "PUT", `/v1/resellers/${prefix}-reseller`, {})
    const users = Array.from({ length: customers }, (_, i) => `${prefix}-c${String(i).padStart(3, "0")}`)
    for (const user of users) {
      await must(base, "PUT", `/v1/customers/${user}`, {
        reseller: `${prefix}-reseller`,
        package: `${prefix}-silver`,
        billingAnchor: "2020-01-01",
        reputation: 100
      })
    }
    return { users, apiUser: `${prefix}-reseller`, apiKey: reseller.body.apiKey as string }
  })

const wire = (base: string, apiUser: string, apiKey: string, user: string) =>
  Effect.promise(() =>
    fetchAnswer(base, "POST", "/api/distributor.account.json", {
      body: new URLSearchParams({ api_user: apiUser, api_key: apiKey, task: "overview", user }).toString(),
      contentType: "application/x-www-form-urlencoded"
    })
  )

const expectTotals = (base: string, events: ReadonlyArray<TestEvent>, date: string) =>
  Effect.promise(async () => {
    for (const [user, totals] of totalsByUser(events)) {
      const overview = (await must(base, "GET", `/v1/customers/${user}/overview?date=${date}`)).body
      assert.deepStrictEqual(
        { user, credits: overview.creditsUsed, requests: overview.requests },
        { user, credits: totals.credits, requests: totals.requests }
      )
    }
  })

const batchesOf = <A>(items: ReadonlyArray<A>, size: number): Array<Array<A>> =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size))

interface Ingested {
  readonly accepted: number
  readonly duplicates: number
  readonly conflicts: number
}

const sum = (answers: ReadonlyArray<Ingested>): Ingested =>
  answers.reduce(
    (a, b) => ({
      accepted: a.accepted + b.accepted,
      duplicates: a.duplicates + b.duplicates,
      conflicts: a.conflicts + b.conflicts
    }),
    { accepted: 0, duplicates: 0, conflicts: 0 }
  )

const ingest = async (base: string, batch: ReadonlyArray<TestEvent>): Promise<Ingested> => {
  const answer = await must(base, "POST", "/v1/usage", batch)
  return {
    accepted: answer.body.accepted,
    duplicates: answer.body.duplicates.length,
    conflicts: answer.body.conflicts.length
  }
}

/**
 * Sends `batches` with `concurrency` requests in flight; answers which
 * batches were acknowledged. `afterAck` runs after each acknowledgement
 * (the crash test kills the server from it); a batch whose request fails
 * is left unacknowledged, and no new batch is started once one failed.
 */
const stream = async (
  base: string,
  batches: ReadonlyArray<ReadonlyArray<TestEvent>>,
  concurrency: number,
  afterAck: (acked: number) => void = () => undefined
) => {
  const acked = new Map<number, Ingested>()
  let next = 0
  let failed = 0
  const worker = async () => {
    while (next < batches.length && failed === 0) {
      const index = next++
      try {
        acked.set(index, await ingest(base, batches[index]!))
        afterAck(acked.size)
      } catch {
        failed++
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return { acked, failed }
}

describe("operator API across processes (operator/Routes.ts through the built server)", () => {
  it.live(
    "two instances on one PostgreSQL ingest overlapping batches at once and count each event once",
    () =>
      Effect.gen(function* () {
        const database = yield* databaseFor("pg")
        const env = { DATABASE_URL: database, ADMIN_TOKEN: token }
        const a = yield* server(env)
        const b = yield* server({ ...env, LOG_LEVEL: "debug" })
        const { users, apiUser, apiKey } = yield* seed(a.url, "two", 12)
        const today = todayUtc()
        const events = makeEvents("two", 36_000, users, today)
        const batches = batchesOf(events, 4_000)
        const [fromA, fromB] = yield* Effect.promise(() =>
          Promise.all([
            Promise.all(batches.map((batch) => ingest(a.url, batch))),
            Promise.all([...batches].reverse().map((batch) => ingest(b.url, batch)))
          ])
        )
        const total = sum([...fromA, ...fromB])
        assert.deepStrictEqual(total, { accepted: events.length, duplicates: events.length, conflicts: 0 })
        yield* expectTotals(a.url, events, today)
        yield* expectTotals(b.url, events, today)

        // The key generated through A works on B; rotated on A, the old key stops working on B.
        const before = yield* wire(b.url, apiUser, apiKey, users[0]!)
        assert.strictEqual(before.status, 200, before.text)
        assert.strictEqual(Number(before.body.credits_used), totalsByUser(events).get(users[0]!)!.credits)
        const rotated = yield* Effect.promise(() => must(a.url, "POST", `/v1/resellers/${apiUser}/rotate-key`))
        const old = yield* wire(b.url, apiUser, apiKey, users[0]!)
        assert.strictEqual(old.status, 401, old.text)
        assert.notInclude(old.text, apiKey)
        const fresh = yield* wire(b.url, apiUser, rotated.body.apiKey, users[0]!)
        assert.strictEqual(fresh.status, 200, fresh.text)
        const unauthorised = yield* call(b.url, "GET", "/v1/packages", { token: `${token}-wrong` })
        assert.strictEqual(unauthorised.status, 401)

        for (const instance of [a, b]) {
          const logs = instance.output()
          assert.isAbove(logs.length, 0)
          for (const secret of [token, apiKey, rotated.body.apiKey as string]) assert.notInclude(logs, secret)
        }
      }),
    180_000
  )

  for (const kind of storeKinds) {
    it.live(
      `a server killed with SIGKILL mid-stream on ${kind} loses nothing and counts nothing twice once the client replays`,
      () =>
        Effect.gen(function* () {
          const database = yield* databaseFor(kind)
          const env = { DATABASE_URL: database, ADMIN_TOKEN: token }
          const first = yield* Effect.promise(() => spawnServer(env))
          const { users } = yield* seed(first.url, "kill", 16)
          const today = todayUtc()
          const events = makeEvents("kill", 60_000, users, today)
          const batches = batchesOf(events, 2_000)
          let killed: Promise<void> | undefined
          const crashed = yield* Effect.promise(() =>
            stream(first.url, batches, 3, (acked) => {
              if (acked === 8 && killed === undefined) killed = first.kill("SIGKILL")
            })
          )
          yield* Effect.promise(() => killed ?? Promise.resolve())
          assert.strictEqual(first.child.signalCode, "SIGKILL")
          assert.isAtLeast(crashed.failed, 1, "a request was in flight when the server died")
          assert.isBelow(crashed.acked.size, batches.length)

          const second = yield* server(env)
          const pending = batches.filter((_, i) => !crashed.acked.has(i))
          const replayed = yield* Effect.promise(() => stream(second.url, pending, 3))
          assert.strictEqual(replayed.failed, 0)
          const accepted = sum([...crashed.acked.values(), ...replayed.acked.values()]).accepted
          assert.isAtMost(accepted, events.length)
          yield* expectTotals(second.url, events, today)

          const again = yield* Effect.promise(() => stream(second.url, batches, 3))
          assert.deepStrictEqual(sum([...again.acked.values()]), {
            accepted: 0,
            duplicates: events.length,
            conflicts: 0
          })
        }),
      180_000
    )
  }

  it.live(
    "PostgreSQL stopped while serving: 503 on the operator API and the wire, /readyz failing; back without a restart",
    () =>
      Effect.gen(function* () {
        const outage = yield* outagePostgres(pgUrl)
        assert.strictEqual(outage.kind, postgresBin() === undefined ? "proxy" : "private cluster")
        const schema = freshSchema()
        yield* createSchema(outage.url, schema)
        yield* dropSchemaOnClose(outage.url, schema)
        const instance: Instance = yield* server({
          DATABASE_URL: urlWithSchema(outage.url, schema),
          ADMIN_TOKEN: token
        })
        const base = instance.url
        const { users, apiUser, apiKey } = yield* seed(base, "out", 3)
        const today = todayUtc()
        const events = makeEvents("out", 3_000, users, today)
        const [early, late] = [events.slice(0, 2_000), events.slice(2_000)]
        yield* Effect.promise(() => ingest(base, early))
        assert.strictEqual((yield* wire(base, apiUser, apiKey, users[0]!)).status, 200)
        assert.strictEqual((yield* call(base, "GET", "/readyz")).status, 200)

        yield* Effect.promise(() => outage.stop())
        const operator = yield* call(base, "GET", "/v1/packages", { token })
        assert.strictEqual(operator.status, 503, operator.text)
        assert.strictEqual(operator.body._tag, "OperatorUnavailable")
        const usage = yield* call(base, "POST", "/v1/usage", { token, json: late })
        assert.strictEqual(usage.status, 503, usage.text)
        const overview = yield* call(base, "GET", `/v1/customers/${users[0]}/overview`, { token })
        assert.strictEqual(overview.status, 503)
        const onWire = yield* wire(base, apiUser, apiKey, users[1]!)
        assert.strictEqual(onWire.status, 503, onWire.text)
        assert.strictEqual((yield* call(base, "GET", "/readyz")).status, 503)
        assert.strictEqual((yield* call(base, "GET", "/healthz")).status, 200)

        yield* Effect.promise(() => outage.start())
        yield* Effect.promise(() =>
          eventually("/readyz back to 200", async () => (await fetchAnswer(base, "GET", "/readyz")).status === 200)
        )
        assert.strictEqual(instance.child.exitCode, null, "the server was not restarted")
        const replay = yield* Effect.promise(() => ingest(base, late))
        assert.deepStrictEqual(replay, { accepted: late.length, duplicates: 0, conflicts: 0 })
        yield* expectTotals(base, events, today)
        const back = yield* wire(base, apiUser, apiKey, users[0]!)
        assert.strictEqual(back.status, 200, back.text)
        assert.strictEqual(Number(back.body.credits_used), totalsByUser(events).get(users[0]!)!.credits)
      }),
    180_000
  )
})
