// core's wire codecs against fast-xml-parser and JSON.parse: packages/core/bench/run.mjs's
// `measure` and `cases`, run in this process (the load generator's core, idle at that time).
import { cases, measure } from "../../packages/core/bench/run.mjs"
import { figure } from "../lib/report.mjs"

const ops = { ">=": ">=", "<=": "<=", max: "<=", min: ">=" }

export const id = "core"
export const title = "core: XML decode, XML encode, JSON decode of the seed's overview"

export const run = async ({ quick }) => {
  const targets = new Map(cases().map((c) => [c.name, c.target]))
  const rows = measure(quick ? { rounds: 3, batchMs: 100, warmupMs: 150 } : { rounds: 7, batchMs: 150, warmupMs: 300 })
  const figures = rows.map((r) => {
    const target = targets.get(r.name)
    if (target === undefined) throw new Error(`core bench case without a target: ${r.name}`)
    const ratio = r.ours.opsPerSecond > 0 ? r.baseline.opsPerSecond / r.ours.opsPerSecond : Number.POSITIVE_INFINITY
    return figure({
      name: `${r.name}: ${r.ours.name}`,
      value: r.ours.opsPerSecond,
      unit: "ops/s",
      baseline: { name: r.baseline.name, value: r.baseline.opsPerSecond, unit: "ops/s" },
      ratio,
      ratioText: `${ratio.toFixed(3)}x time`,
      target: { of: "ratio", op: ops[target.kind], limit: target.ratio, text: target.text }
    })
  })
  return { figures, raw: { rows } }
}
