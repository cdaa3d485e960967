// core's wire codecs against fast-xml-parser and JSON.parse: packages/core/bench/run.mjs's
// `measure` and the targets of its `cases`. `measure` runs in fresh processes (three in a full
// run), on the load generator's core, idle at that time: V8 compiles a function differently from
// one process to the next (the XML encoder and XMLBuilder each run at one of two speeds, ~1.7x
// apart), so one process alone can land on a pairing; the figure is the median over processes.
import { fileURLToPath } from "node:url"
import { cases } from "../../packages/core/bench/run.mjs"
import { cores } from "../lib/machine.mjs"
import { lastJsonLine, runScript } from "../lib/process.mjs"
import { figure } from "../lib/report.mjs"
import { summary } from "../lib/stats.mjs"

const child = fileURLToPath(new URL("./core-measure.mjs", import.meta.url))

const ops = { ">=": ">=", "<=": "<=", max: "<=", min: ">=" }

export const id = "core"
export const title = "core: XML decode, XML encode, JSON decode of the seed's overview"

export const run = async ({ quick }) => {
  const targets = new Map(cases().map((c) => [c.name, c.target]))
  const options = quick ? { rounds: 3, batchMs: 100, warmupMs: 150 } : { rounds: 7, batchMs: 150, warmupMs: 300 }
  const processes = quick ? 1 : 3
  const runs = []
  for (let i = 0; i < processes; i++) {
    runs.push(lastJsonLine((await runScript(child, [JSON.stringify(options)], { core: cores.load })).stdout).rows)
  }
  const figures = runs[0].map((first) => {
    const target = targets.get(first.name)
    if (target === undefined) throw new Error(`core bench case without a target: ${first.name}`)
    const own = runs.map((rows) => rows.find((r) => r.name === first.name))
    const ours = summary(own.map((r) => r.ours.opsPerSecond))
    const baseline = summary(own.map((r) => r.baseline.opsPerSecond))
    const ratios = summary(own.map((r) => r.baseline.opsPerSecond / r.ours.opsPerSecond))
    return figure({
      name: `${first.name}: ${first.ours.name}`,
      value: ours.median,
      unit: "ops/s",
      ...(processes > 1 ? { spread: { min: ours.min, max: ours.max } } : {}),
      baseline: { name: first.baseline.name, value: baseline.median, unit: "ops/s" },
      ratio: ratios.median,
      ratioText:
        processes > 1
          ? `${ratios.median.toFixed(3)}x time [${ratios.min.toFixed(3)}..${ratios.max.toFixed(3)}]`
          : `${ratios.median.toFixed(3)}x time`,
      target: { of: "ratio", op: ops[target.kind], limit: target.ratio, text: target.text }
    })
  })
  return { figures, raw: { processes, runs } }
}
