// Usage ingestion in batches of 10,000 events, on SQLite and PostgreSQL, at two depths:
// - in the ledger (Ledger.ingest): packages/store/bench/ingest.mjs, each batch alternated with the
//   bare driver inserting the same rows; read from its text table;
// - through the service (POST /v1/usage, JSON, one batch in flight): apps/http/bench/ingest.mjs,
//   against a bare node:http server reading and JSON-parsing the same bodies; read from its JSON
//   line (it also measures the operator GET overview on both stores after the ingestion).
import { fileURLToPath } from "node:url"
import { cores } from "../lib/machine.mjs"
import { lastJsonLine, runScript } from "../lib/process.mjs"
import { figure } from "../lib/report.mjs"

const ledgerScript = fileURLToPath(new URL("../../packages/store/bench/ingest.mjs", import.meta.url))
const httpScript = fileURLToPath(new URL("../../apps/http/bench/ingest.mjs", import.meta.url))

export const id = "ingest"
export const title = "usage ingestion, batches of 10,000: Ledger.ingest and POST /v1/usage"

const targets = {
  sqlite: { of: "value", op: ">=", limit: 50_000, text: ">= 50,000 ev/s" },
  pg: { of: "value", op: ">=", limit: 20_000, text: ">= 20,000 ev/s" }
}

/** Reads `<store>  <ledger ev/s>  <baseline ev/s>  <ratio>  <re-sent ev/s>` lines. */
export const parseLedgerTable = (stdout) => {
  const rows = []
  for (const line of stdout.split("\n")) {
    const m = /^(SQLite synchronous=\w+|PostgreSQL)\s+([\d,]+)\s+([\d,]+)\s+([\d.]+)\s+([\d,]+)\s*$/.exec(line)
    if (m) {
      const n = (s) => Number(s.replaceAll(",", ""))
      rows.push({ store: m[1], eventsPerSecond: n(m[2]), baseline: n(m[3]), duplicatesPerSecond: n(m[5]) })
    }
  }
  return rows
}

const ledger = async ({ quick, pgUrl }) => {
  const { stdout } = await runScript(ledgerScript, ["--batches", quick ? "3" : "10"], {
    core: cores.server,
    env: { PG_URL: pgUrl }
  })
  const rows = parseLedgerTable(stdout)
  const find = (store) => rows.find((r) => r.store === store)
  const one = (r, name, target) =>
    figure({
      name,
      value: r.eventsPerSecond,
      unit: "ev/s",
      baseline: { name: "bare driver insert", value: r.baseline, unit: "ev/s" },
      ratio: r.eventsPerSecond / r.baseline,
      ...(target === undefined ? {} : { target }),
      note: `a batch re-sent (all duplicates): ${r.duplicatesPerSecond} ev/s`
    })
  const full = find("SQLite synchronous=FULL")
  const normal = find("SQLite synchronous=NORMAL")
  const pg = find("PostgreSQL")
  if (full === undefined || pg === undefined) {
    throw new Error(`packages/store/bench/ingest.mjs gave no SQLite or no PostgreSQL figure:\n${stdout}`)
  }
  const figures = [one(full, "Ledger.ingest, SQLite (synchronous=FULL, default)", targets.sqlite)]
  if (normal !== undefined) figures.push(one(normal, "Ledger.ingest, SQLite (synchronous=NORMAL)"))
  figures.push(one(pg, "Ledger.ingest, PostgreSQL", targets.pg))
  return { figures, raw: rows }
}

const http = async ({ quick, pgUrl }) => {
  const env = { PG_URL: pgUrl, BENCH_ROUNDS: "2", BENCH_BATCHES: quick ? "2" : "6" }
  const { stdout } = await runScript(httpScript, [], { env })
  const out = lastJsonLine(stdout)
  if (out.ingest?.sqlite === undefined || out.ingest?.pg === undefined) {
    throw new Error(`unexpected output of apps/http/bench/ingest.mjs:\n${stdout}`)
  }
  const floor = { name: "bare read + JSON.parse", value: out.bareEventsPerSecond, unit: "ev/s" }
  const figures = [
    ["sqlite", "POST /v1/usage, SQLite"],
    ["pg", "POST /v1/usage, PostgreSQL"]
  ].map(([store, name]) => {
    const r = out.ingest[store]
    return figure({
      name,
      value: r.eventsPerSecond,
      unit: "ev/s",
      baseline: floor,
      ratio: r.ratioToBare,
      target: targets[store],
      note: `a re-sent batch (all duplicates): ${r.replayEventsPerSecond} ev/s`
    })
  })
  const operator = out.overview?.["operator overview"]
  if (operator !== undefined) {
    figures.push(
      figure({
        name: "operator GET overview after ingestion, PostgreSQL",
        value: operator.pgRps,
        unit: "req/s",
        baseline: { name: "same on SQLite", value: operator.sqliteRps, unit: "req/s" },
        ratio: operator.pgToSqlite ?? Number.NaN
      })
    )
  }
  return { figures, raw: out }
}

export const run = async (ctx) => {
  const a = await ledger(ctx)
  const b = await http(ctx)
  return { figures: [...a.figures, ...b.figures], raw: { ledger: a.raw, http: b.raw } }
}
