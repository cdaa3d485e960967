// The overview hot path and the cost of reseller keys, on the built ledger
// (dist) over SQLite:
// - scrypt at the default parameters (hash, verification without the cache,
//   the dummy verification for absent resellers) against a SHA-256 of the
//   same key (the cost of a cache hit's fingerprint), in the same run;
// - each step of AccountOverviews.overview with a cached key
//   (Ledger.overviewSource, ResellerKeys.verify, Ledger.usageBetween) and the
//   whole call, each run as its own fiber like a request is, against the same
//   two reads made straight on node:sqlite prepared statements and against
//   one bare primary-key read, interleaved in the same run. Figures are CPU
//   time per call (process.cpuUsage), which a shared machine disturbs less
//   than wall time; medians of the rounds.
//
//   node bench/overview.mjs [--calls 20000] [--rounds 7]
//
// Build first: pnpm exec turbo run build --filter=@account-overview/store...

import { createHash } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { parseArgs } from "node:util"
import { AccountOverviews, calendarDateFromEpochMillis, cycleFor } from "@account-overview/core"
import { Effect, Layer, Redacted } from "effect"
import { defaultScryptParams, Ledger, LedgerOverviews, ResellerKeys } from "../dist/index.js"

const { values: args } = parseArgs({
  options: { calls: { type: "string", default: "20000" }, rounds: { type: "string", default: "7" } }
})
const calls = Number(args.calls)
const rounds = Number(args.rounds)
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const time = (f) =>
  Effect.gen(function* () {
    const t0 = performance.now()
    yield* f
    return performance.now() - t0
  })
// CPU µs per call of `f`, run `calls` times.
const cpuPerCall = (f) => {
  const before = process.cpuUsage()
  for (let i = 0; i < calls; i++) f()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / calls
}

const dir = mkdtempSync(join(tmpdir(), "ao-bench-"))
const file = join(dir, "overview.db")
const layer = Layer.mergeAll(LedgerOverviews.layer, ResellerKeys.layer).pipe(
  Layer.provideMerge(Layer.merge(Ledger.layerSqlite(file), ResellerKeys.layer))
)
const user = "customer@example.com"

const report = await Effect.runPromise(
  Effect.gen(function* () {
    const ledger = yield* Ledger
    const keys = yield* ResellerKeys
    const overviews = yield* AccountOverviews
    const context = yield* Effect.context()
    const run = Effect.runSyncWith(context)
    const apiKey = Redacted.make("a low-entropy operator key")

    const sha = () => {
      const t0 = performance.now()
      for (let i = 0; i < 10_000; i++) createHash("sha256").update(Redacted.value(apiKey)).digest()
      return (performance.now() - t0) / 10_000
    }
    const hashMs = []
    const missMs = []
    const dummyMs = []
    let stored = ""
    for (let i = 0; i < 5; i++) {
      hashMs.push(
        yield* time(
          Effect.map(keys.hash(apiKey), (h) => {
            stored = h
          })
        )
      )
      missMs.push(yield* time(keys.verify(stored, apiKey)))
      dummyMs.push(yield* time(keys.verifyAbsent(apiKey)))
    }
    const shaUs = sha() * 1000

    yield* ledger.upsertPackage({ name: "Silver", credits: 50_000 })
    yield* ledger.upsertReseller("acme", apiKey)
    for (let i = 0; i < 200; i++) {
      yield* ledger.upsertCustomer({
        user: i === 0 ? user : `other-${i}@example.com`,
        reseller: "acme",
        package: "Silver",
        billingAnchor: "2010-08-30",
        reputation: 100
      })
    }
    const events = []
    for (let i = 0; i < 1000; i++) {
      events.push({
        id: `e-${i}`,
        user,
        requests: 1,
        credits: 100,
        occurredAt: new Date(Date.now() - i * 3_600_000).toISOString()
      })
    }
    yield* ledger.ingest(events)
    const credentials = { apiUser: "acme", apiKey }
    const overview = yield* overviews.overview(credentials, user)
    const source = yield* ledger.overviewSource("acme", user)
    if (source._tag !== "Some" || source.value.customer._tag !== "Some")
      throw new Error("the seeded customer is absent")
    const keyHash = source.value.keyHash
    const today = calendarDateFromEpochMillis(Date.now())
    const cycle = cycleFor(source.value.customer.value.customer.billingAnchor, today)

    const db = new DatabaseSync(file, { readOnly: true })
    const pkRead = db.prepare("SELECT key_hash FROM resellers WHERE api_user = ?")
    const sourceRead = db.prepare(`SELECT r.key_hash, c.id, c.user_name, c.billing_anchor, c.reputation,
        p.name AS package_name, p.credits AS package_credits, p.overage_price
      FROM resellers r
      LEFT JOIN customers c ON c.user_name = ? AND c.reseller_id = r.id
      LEFT JOIN packages p ON p.id = c.package_id
      WHERE r.api_user = ?`)
    const usageRead = db.prepare(`SELECT COALESCE(SUM(requests), 0) AS requests, COALESCE(SUM(credits), 0) AS credits
      FROM usage_daily WHERE customer_id = ? AND day >= ? AND day <= ?`)
    sourceRead.setReturnArrays(true)
    usageRead.setReturnArrays(true)
    // The floor: rows as arrays, usage by the customer's id (no second look-up of the customer).
    const bareTwo = () => {
      const row = sourceRead.get(user, "acme")
      return usageRead.get(row[1], cycle.start, cycle.end)
    }
    if (bareTwo()[1] !== overview.creditsUsed) throw new Error("the bare reads disagree with the ledger")
    const begin = db.prepare("BEGIN")
    const commit = db.prepare("COMMIT")
    const bareTogether = () => {
      begin.run()
      try {
        return bareTwo()
      } finally {
        commit.run()
      }
    }

    const steps = {
      "bare node:sqlite PK read": () => pkRead.get("acme"),
      "bare: the two hot reads on node:sqlite": bareTwo,
      "bare: the same in one read transaction": bareTogether,
      "bare SHA-256 of the key (createHash)": () => createHash("sha256").update(Redacted.value(apiKey)).digest(),
      "ResellerKeys.verify, cached": () => run(keys.verify(keyHash, apiKey)),
      "Ledger.overviewSource": () => run(ledger.overviewSource("acme", user)),
      "Ledger.usageBetween": () => run(ledger.usageBetween(user, cycle.start, cycle.end)),
      "Ledger.overviewReading": () => run(ledger.overviewReading("acme", user, today)),
      "AccountOverviews.overview": () => run(overviews.overview(credentials, user))
    }
    const samples = Object.fromEntries(Object.keys(steps).map((name) => [name, []]))
    for (const f of Object.values(steps)) cpuPerCall(f)
    for (let round = 0; round < rounds; round++) {
      for (const [name, f] of Object.entries(steps)) samples[name].push(cpuPerCall(f))
    }
    db.close()
    return {
      params: defaultScryptParams,
      hashMs: median(hashMs),
      missMs: median(missMs),
      dummyMs: median(dummyMs),
      shaUs,
      steps: Object.fromEntries(Object.entries(samples).map(([name, xs]) => [name, median(xs)]))
    }
  }).pipe(Effect.provide(layer))
)
rmSync(dir, { recursive: true, force: true })

const p = report.params
const s = report.steps
console.log(`scrypt N=${p.N} r=${p.r} p=${p.p} (${(128 * p.N * p.r) / 1048576} MiB per hash), medians of 5`)
console.log(`  hash                      ${report.hashMs.toFixed(1)} ms`)
console.log(`  verify, not cached        ${report.missMs.toFixed(1)} ms`)
console.log(`  verifyAbsent (dummy)      ${report.dummyMs.toFixed(1)} ms`)
console.log(
  `  verify, cached            ${s["ResellerKeys.verify, cached"].toFixed(2)} us  (bare SHA-256 of the key ${report.shaUs.toFixed(2)} us)`
)
console.log(`overview hot path with a cached key, SQLite, CPU us per call, ${calls} calls x ${rounds} rounds, medians`)
for (const [name, us] of Object.entries(s)) console.log(`  ${name.padEnd(40)} ${us.toFixed(2).padStart(7)} us`)
const floor = s["bare: the two hot reads on node:sqlite"]
console.log(
  `  AccountOverviews.overview / the two bare reads: ${(s["AccountOverviews.overview"] / floor).toFixed(2)}x (${(s["AccountOverviews.overview"] - floor).toFixed(1)} us above them)`
)
console.log(JSON.stringify({ bench: "store-overview", calls, rounds, cpuMicros: s }))
