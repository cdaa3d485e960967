// The hot path: v1 JSON and v1 XML overview calls, 50 keep-alive connections.
// - The service against a bare node:http server answering its body: apps/http/bench/overview.mjs
//   (its JSON summary; the spread of its rounds read from its text table).
// - The reference servers, interleaved in rounds of their own: the same bare server, the bare
//   server doing one SQLite primary-key read per request, fastify 5 with a form parser; each
//   answering the service's own bodies (fetched from it once).
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { generator, postMeasured } from "../lib/load.mjs"
import { cores } from "../lib/machine.mjs"
import { lastJsonLine, runScript, startServer, stop } from "../lib/process.mjs"
import { figure } from "../lib/report.mjs"
import { summary } from "../lib/stats.mjs"
import { callOnce, overviewForm, startSeededService, wirePaths } from "./service.mjs"

const script = fileURLToPath(new URL("../../apps/http/bench/overview.mjs", import.meta.url))
const bareServer = fileURLToPath(new URL("../servers/bare.mjs", import.meta.url))
const fastifyServer = fileURLToPath(new URL("../servers/fastify.mjs", import.meta.url))
const connections = 50

export const id = "overview"
export const title = "overview calls, v1 JSON and v1 XML, 50 keep-alive connections"

/**
 * Reads the rounds table of apps/http/bench/overview.mjs, one line per case and round:
 * `<case> <round> <bytes> <bare req/s> <p50> <p99> [cpu] | <ours req/s> <p50> <p99> [cpu] | <ratio>x ...`.
 */
export const parseRounds = (stdout) => {
  const rounds = []
  for (const line of stdout.split("\n")) {
    const parts = line.split("|")
    if (parts.length < 3) continue
    const left = /^(.*?\S)\s+(\d+)\s+(\d+)\s+(\d+)\s+[\d.]+\s+[\d.]+/.exec(parts[0])
    const middle = /^\s*(\d+)\s+([\d.]+)\s+([\d.]+)/.exec(parts[1])
    const right = /^\s*([\d.]+)x/.exec(parts[2])
    if (left === null || middle === null || right === null) continue
    rounds.push({
      name: left[1],
      round: Number(left[2]),
      bareRps: Number(left[4]),
      rps: Number(middle[1]),
      p99: Number(middle[3]),
      ratio: Number(right[1])
    })
  }
  return rounds
}

const targeted = new Set(["v1 JSON", "v1 XML"])

const service = async ({ quick }) => {
  const env = { BENCH_SECONDS: quick ? "2" : "10", BENCH_WARMUP_SECONDS: quick ? "1" : "2", BENCH_CONNECTIONS: "50" }
  const { stdout } = await runScript(script, [], { env })
  const out = lastJsonLine(stdout)
  const rounds = parseRounds(stdout)
  const figures = []
  for (const s of out.results) {
    const own = rounds.filter((r) => r.name === s.name)
    const spread = own.length > 1 ? summary(own.map((r) => r.rps)) : undefined
    const ratios = own.length > 1 ? summary(own.map((r) => r.ratio)) : undefined
    const gated = targeted.has(s.name)
    figures.push(
      figure({
        name: `${s.name}: service vs bare node:http`,
        value: s.rps,
        unit: "req/s",
        ...(spread === undefined ? {} : { spread: { min: spread.min, max: spread.max } }),
        baseline: { name: "bare, fixed body", value: s.bareRps, unit: "req/s" },
        ratio: s.ratio,
        ...(ratios === undefined
          ? {}
          : { ratioText: `${s.ratio.toFixed(3)}x [${ratios.min.toFixed(2)}..${ratios.max.toFixed(2)}]` }),
        ...(gated ? { target: { of: "ratio", op: ">=", limit: 0.35, text: ">= 0.35x bare" } } : {})
      })
    )
    if (s.cpuMicros !== undefined && s.bareCpuMicros !== undefined) {
      figures.push(
        figure({
          name: `${s.name}: server CPU per request`,
          value: s.cpuMicros,
          unit: "µs",
          baseline: { name: "bare", value: s.bareCpuMicros, unit: "µs" },
          ratio: s.bareCpuMicros / s.cpuMicros,
          ratioText: `${(s.bareCpuMicros / s.cpuMicros).toFixed(3)}x (bare/ours)`,
          ...(gated ? { target: { of: "ratio", op: ">=", limit: 0.35, text: ">= 0.35x bare (capacity)" } } : {}),
          note: "req/s each server could answer on its core, as a ratio: holds when the load generator, not the server, is the limit"
        })
      )
    }
    if (!gated) continue
    figures.push(
      figure({ name: `${s.name}: service p50`, value: s.p50Ms, unit: "ms", note: "max over the rounds" }),
      figure({
        name: `${s.name}: service p99`,
        value: s.p99Ms,
        unit: "ms",
        target: { of: "value", op: "<", limit: 10, text: "< 10 ms" },
        note: "max over the rounds"
      })
    )
  }
  for (const name of targeted) {
    if (!out.results.some((s) => s.name === name))
      throw new Error(`apps/http/bench/overview.mjs gave no "${name}" case`)
  }
  return { figures, raw: { ...out, rounds } }
}

// One measured run against a server: the load's figures, the server's CPU per request and wait.
const measured = (server, path, seconds) =>
  postMeasured(server.pid, { url: server.url + path, body: overviewForm, connections, seconds })

const references = async ({ quick }) => {
  const seconds = quick ? 2 : 5
  const warmSeconds = quick ? 1 : 2
  const rounds = 2
  const svc = await startSeededService({ core: cores.server })
  const bodies = {}
  try {
    for (const path of Object.values(wirePaths)) {
      const { type, body } = await callOnce(svc.url, path)
      bodies[path] = { type, body: body.toString("base64") }
    }
  } finally {
    await svc.close()
  }
  const dir = mkdtempSync(join(tmpdir(), "ao-bench-ref-"))
  const env = { BENCH_BODIES: JSON.stringify(bodies) }
  const servers = []
  try {
    const kinds = [
      ["bare node:http", [process.execPath, bareServer], env],
      ["bare + 1 SQLite PK read", [process.execPath, bareServer], { ...env, BENCH_SQLITE: join(dir, "read.db") }],
      ["fastify 5 + formbody", [process.execPath, fastifyServer], env]
    ]
    for (const [name, argv, kindEnv] of kinds) {
      servers.push({ name, ...(await startServer(argv, { env: kindEnv, core: cores.server })) })
    }
    const cases = Object.entries(wirePaths).map(([format, path]) => ({ format, path }))
    for (const c of cases) {
      for (const s of servers) await measured(s, c.path, warmSeconds)
    }
    const samples = []
    for (let round = 0; round < rounds; round++) {
      for (const c of cases) {
        const order = round % 2 === 0 ? servers : [...servers].reverse()
        const sample = { round, format: c.format }
        for (const s of order) sample[s.name] = await measured(s, c.path, seconds)
        samples.push(sample)
      }
    }
    const figures = []
    const bareName = "bare node:http"
    for (const c of cases) {
      const own = samples.filter((x) => x.format === c.format)
      const label = c.format === "json" ? "v1 JSON" : "v1 XML"
      const of = (name, key) => summary(own.map((x) => x[name][key]))
      const p99 = (name) => Math.max(...own.map((x) => x[name].p99))
      const hasCpu = own.every((x) => servers.every((s) => x[s.name].cpuMicros !== undefined))
      const waits = own.flatMap((x) => servers.map((s) => x[s.name].waitShare)).filter((w) => w !== undefined)
      const waitNote =
        waits.length === 0
          ? ""
          : `; servers waited for their core up to ${Math.round(Math.max(...waits) * 100)}% of a run`
      const bare = of(bareName, "rps")
      figures.push(
        figure({
          name: `${label}: reference bare node:http (${generator})`,
          value: bare.median,
          unit: "req/s",
          spread: { min: bare.min, max: bare.max },
          note: `p99 ${p99(bareName)} ms${hasCpu ? `; its core ${Math.round(of(bareName, "busy").median * 100)}% busy` : ""}${waitNote}`
        })
      )
      if (hasCpu) {
        figures.push(
          figure({
            name: `${label}: reference bare node:http, CPU per request`,
            value: of(bareName, "cpuMicros").median,
            unit: "µs"
          })
        )
      }
      for (const name of ["bare + 1 SQLite PK read", "fastify 5 + formbody"]) {
        const rps = of(name, "rps")
        const ratios = summary(own.map((x) => x[name].rps / x[bareName].rps))
        figures.push(
          figure({
            name: `${label}: reference ${name}`,
            value: rps.median,
            unit: "req/s",
            spread: { min: rps.min, max: rps.max },
            baseline: { name: "bare", value: bare.median, unit: "req/s" },
            ratio: ratios.median,
            ratioText: `${ratios.median.toFixed(3)}x [${ratios.min.toFixed(2)}..${ratios.max.toFixed(2)}]`,
            note: `p99 ${p99(name)} ms`
          })
        )
        if (hasCpu) {
          const cpu = of(name, "cpuMicros")
          const capacity = summary(own.map((x) => x[bareName].cpuMicros / x[name].cpuMicros))
          figures.push(
            figure({
              name: `${label}: reference ${name}, CPU per request`,
              value: cpu.median,
              unit: "µs",
              baseline: { name: "bare", value: of(bareName, "cpuMicros").median, unit: "µs" },
              ratio: capacity.median,
              ratioText: `${capacity.median.toFixed(3)}x (bare/ours)`
            })
          )
        }
      }
    }
    const bytes = Object.fromEntries(Object.entries(bodies).map(([p, b]) => [p, Buffer.from(b.body, "base64").length]))
    return { figures, raw: { generator, seconds, rounds, bytes, samples } }
  } finally {
    for (const s of servers) await stop(s.child)
    rmSync(dir, { recursive: true, force: true })
  }
}

export const run = async (ctx) => {
  const ours = await service(ctx)
  const refs = await references(ctx)
  return { figures: [...ours.figures, ...refs.figures], raw: { service: ours.raw, references: refs.raw } }
}
