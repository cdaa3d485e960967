// The wire while usage is ingested: apps/http/bench/stall.mjs runs the built service (SQLite and
// PostgreSQL), one prober alternating the wire overview (v1 JSON) and /healthz, first with no
// ingestion, then while 10,000-event batches are POSTed to /v1/usage one after the other without
// pause; read from its JSON line. Targets: overview p99 under ingestion < 25 ms, /healthz p99 < 20 ms.
import { fileURLToPath } from "node:url"
import { lastJsonLine, runScript } from "../lib/process.mjs"
import { figure } from "../lib/report.mjs"

const script = fileURLToPath(new URL("../../apps/http/bench/stall.mjs", import.meta.url))

export const id = "stall"
export const title = "the wire under ingestion: overview and /healthz p99 while 10,000-event batches are ingested"

export const targets = {
  overview: { of: "value", op: "<", limit: 25, text: "< 25 ms" },
  healthz: { of: "value", op: "<", limit: 20, text: "< 20 ms" }
}

const storeNames = { sqlite: "SQLite", pg: "PostgreSQL" }

/** The figures of the script's JSON line: per store, the overview and /healthz p99 under ingestion, next to idle. */
export const figuresOf = (out) => {
  const figures = []
  for (const [store, r] of Object.entries(out.stall ?? {})) {
    const name = storeNames[store] ?? store
    const note = `${r.ingesting.batches} batches of ${out.batchSize} in ${out.seconds} s (${r.ingesting.eventsPerSecond} ev/s)`
    figures.push(
      figure({
        name: `wire overview p99 under ingestion, ${name}`,
        value: r.ingesting.overview.p99,
        unit: "ms",
        baseline: { name: "p99 with no ingestion", value: r.idle.overview.p99, unit: "ms" },
        ratio: r.ingesting.overview.p99 / r.idle.overview.p99,
        target: targets.overview,
        note
      }),
      figure({
        name: `/healthz p99 under ingestion, ${name}`,
        value: r.ingesting.healthz.p99,
        unit: "ms",
        baseline: { name: "p99 with no ingestion", value: r.idle.healthz.p99, unit: "ms" },
        ratio: r.ingesting.healthz.p99 / r.idle.healthz.p99,
        target: targets.healthz,
        note: `max ${r.ingesting.healthz.max} ms`
      })
    )
  }
  if (figures.length === 0) throw new Error("apps/http/bench/stall.mjs gave no figure")
  return figures
}

export const run = async ({ quick, pgUrl }) => {
  const { stdout } = await runScript(script, ["--seconds", quick ? "2" : "5"], { env: { PG_URL: pgUrl } })
  const out = lastJsonLine(stdout)
  return { figures: figuresOf(out), raw: out }
}
