// core's wire codecs against fast-xml-parser and JSON.parse: packages/core/bench/run.mjs's
// `measure` (run in a process of its own, on the load generator's core, idle at that time) and
// the targets of its `cases`.
import { fileURLToPath } from "node:url"
import { cases } from "../../packages/core/bench/run.mjs"
import { cores } from "../lib/machine.mjs"
import { lastJsonLine, runScript } from "../lib/process.mjs"
import { figure } from "../lib/report.mjs"

const child = fileURLToPath(new URL("./core-measure.mjs", import.meta.url))

const ops = { ">=": ">=", "<=": "<=", max: "<=", min: ">=" }

export const id = "core"
export const title = "core: XML decode, XML encode, JSON decode of the seed's overview"

export const run = async ({ quick }) => {
  const targets = new Map(cases().map((c) => [c.name, c.target]))
  const options = quick ? { rounds: 3, batchMs: 100, warmupMs: 150 } : { rounds: 7, batchMs: 150, warmupMs: 300 }
  const { rows } = lastJsonLine((await runScript(child, [JSON.stringify(options)], { core: cores.load })).stdout)
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
