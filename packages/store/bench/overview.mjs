// The overview hot path and the cost of reseller keys, on the built ledger
// (dist) over SQLite:
// - scrypt at the default parameters (hash, verification without the cache,
//   the dummy verification for absent resellers) against a SHA-256 of the
//   same key (the cost of a cache hit's fingerprint), in the same run;
// - AccountOverviews.overview with a cached key (overviewSource + verify +
//   usageBetween) against one bare node:sqlite primary-key read, in the same
//   run.
//
//   node bench/overview.mjs [--calls 20000]
//
// Build first: pnpm exec turbo run build --filter=@account-overview/store...

import { createHash } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { parseArgs } from "node:util"
import { AccountOverviews } from "@account-overview/core"
import { Effect, Layer, Redacted } from "effect"
import { defaultScryptParams, Ledger, LedgerOverviews, ResellerKeys } from "../dist/index.js"

const { values: args } = parseArgs({ options: { calls: { type: "string", default: "20000" } } })
const calls = Number(args.calls)
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const time = (f) =>
  Effect.gen(function* () {
    const t0 = performance.now()
    yield* f
    return performance.now() - t0
  })

const dir = mkdtempSync(join(tmpdir(), "ao-bench-"))
const file = join(dir, "overview.db")
const layer = Layer.mergeAll(LedgerOverviews.layer, ResellerKeys.layer).pipe(
  Layer.provideMerge(Layer.merge(Ledger.layerSqlite(file), ResellerKeys.layer))
)

const report = await Effect.runPromise(
  Effect.gen(function* () {
    const ledger = yield* Ledger
    const keys = yield* ResellerKeys
    const overviews = yield* AccountOverviews
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
    const hitUs = []
    for (let i = 0; i < 5; i++) {
      const d = yield* time(Effect.repeat(keys.verify(stored, apiKey), { times: 9_999 }))
      hitUs.push((d / 10_000) * 1000)
    }
    const shaUs = sha() * 1000

    yield* ledger.upsertPackage({ name: "Silver", credits: 50_000 })
    yield* ledger.upsertReseller("acme", apiKey)
    yield* ledger.upsertCustomer({
      user: "customer@example.com",
      reseller: "acme",
      package: "Silver",
      billingAnchor: "2010-08-30",
      reputation: 100
    })
    const events = []
    for (let i = 0; i < 1000; i++) {
      events.push({
        id: `e-${i}`,
        user: "customer@example.com",
        requests: 1,
        credits: 100,
        occurredAt: new Date(Date.now() - i * 3_600_000).toISOString()
      })
    }
    yield* ledger.ingest(events)
    const credentials = { apiUser: "acme", apiKey }
    yield* overviews.overview(credentials, "customer@example.com")

    const db = new DatabaseSync(file, { readOnly: true })
    const read = db.prepare("SELECT key_hash FROM resellers WHERE api_user = ?")
    const overviewUs = []
    const readUs = []
    for (let round = 0; round < 5; round++) {
      const d = yield* time(
        Effect.repeat(overviews.overview(credentials, "customer@example.com"), { times: calls - 1 })
      )
      overviewUs.push((d / calls) * 1000)
      const t0 = performance.now()
      for (let i = 0; i < calls; i++) read.get("acme")
      readUs.push(((performance.now() - t0) / calls) * 1000)
    }
    db.close()
    return {
      params: defaultScryptParams,
      hashMs: median(hashMs),
      missMs: median(missMs),
      dummyMs: median(dummyMs),
      hitUs: median(hitUs),
      shaUs,
      overviewUs: median(overviewUs),
      readUs: median(readUs)
    }
  }).pipe(Effect.provide(layer))
)
rmSync(dir, { recursive: true, force: true })

const p = report.params
console.log(`scrypt N=${p.N} r=${p.r} p=${p.p} (${(128 * p.N * p.r) / 1048576} MiB per hash), medians of 5`)
console.log(`  hash                      ${report.hashMs.toFixed(1)} ms`)
console.log(`  verify, not cached        ${report.missMs.toFixed(1)} ms`)
console.log(`  verifyAbsent (dummy)      ${report.dummyMs.toFixed(1)} ms`)
console.log(
  `  verify, cached            ${report.hitUs.toFixed(2)} us  (bare SHA-256 of the key ${report.shaUs.toFixed(2)} us, ratio ${(report.hitUs / report.shaUs).toFixed(1)})`
)
console.log(`overview with a cached key, SQLite, ${calls} calls x 5, median`)
console.log(
  `  AccountOverviews.overview ${report.overviewUs.toFixed(1)} us  (bare node:sqlite PK read ${report.readUs.toFixed(1)} us, ratio ${(report.overviewUs / report.readUs).toFixed(1)})`
)
