// What the writer thread costs a statement: the built SQLite client (dist) on a file with its
// connection in the writer thread (the default) against the same client with
// `writerThread: false`, in the same run, rounds alternated: single-row INSERTs (each its own
// transaction), the same INSERTs inside one transaction, and primary-key SELECTs through
// effect/sql (the hot reads do not take this path: they read on the caller's thread).
// synchronous=NORMAL, so that the fsync of each commit does not hide the thread's cost.
//
//   node bench/statements.mjs [--statements 2000] [--rounds 4]
//
// Build first: pnpm exec turbo run build --filter=@account-overview/store...
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { layerSqliteClient } from "../dist/index.js"

const { values: args } = parseArgs({
  options: { statements: { type: "string", default: "2000" }, rounds: { type: "string", default: "4" } }
})
const n = Number(args.statements)
const rounds = Number(args.rounds)
const dir = mkdtempSync(join(tmpdir(), "ao-statements-"))

const timed = (effect) =>
  Effect.gen(function* () {
    const t0 = performance.now()
    yield* effect
    return ((performance.now() - t0) * 1000) / n
  })

const cases = (sql, key) => ({
  "INSERT, one transaction each": Effect.forEach(
    Array.from({ length: n }, (_, i) => i),
    (i) => sql`INSERT INTO t (id, v) VALUES (${`${key}-a-${i}`}, ${i})`,
    { discard: true }
  ),
  "INSERT, all in one transaction": sql.withTransaction(
    Effect.forEach(
      Array.from({ length: n }, (_, i) => i),
      (i) => sql`INSERT INTO t (id, v) VALUES (${`${key}-b-${i}`}, ${i})`,
      { discard: true }
    )
  ),
  "SELECT by primary key": Effect.forEach(
    Array.from({ length: n }, (_, i) => i),
    (i) => sql`SELECT v FROM t WHERE id = ${`${key}-a-${i}`}`,
    { discard: true }
  )
})

const program = Effect.gen(function* () {
  const clients = {}
  for (const [name, writerThread] of [
    ["writer thread", true],
    ["this thread", false]
  ]) {
    const context = yield* Layer.build(
      layerSqliteClient({ filename: join(dir, `${writerThread}.db`), synchronous: "NORMAL", writerThread })
    )
    const sql = Context.get(context, SqlClient.SqlClient)
    yield* sql`CREATE TABLE t (id TEXT PRIMARY KEY, v INTEGER)`
    clients[name] = sql
  }
  const samples = {}
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ["writer thread", "this thread"] : ["this thread", "writer thread"]
    for (const name of order) {
      for (const [label, effect] of Object.entries(cases(clients[name], `${round}`))) {
        const us = yield* timed(effect)
        // The first round warms the statement caches and the JIT; it is not counted.
        if (round === 0) continue
        samples[label] ??= { "writer thread": [], "this thread": [] }
        samples[label][name].push(us)
      }
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  console.log(
    `${"statement".padEnd(32)}${"writer thread".padStart(16)}${"this thread".padStart(14)}${"ratio".padStart(8)}`
  )
  for (const [label, s] of Object.entries(samples)) {
    const w = median(s["writer thread"])
    const t = median(s["this thread"])
    console.log(
      `${label.padEnd(32)}${`${w.toFixed(1)} µs`.padStart(16)}${`${t.toFixed(1)} µs`.padStart(14)}${`${(w / t).toFixed(2)}x`.padStart(8)}`
    )
  }
}).pipe(Effect.scoped)

try {
  await Effect.runPromise(program)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
