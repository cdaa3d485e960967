#!/usr/bin/env node
// Where the service's time goes on the hot path: the built service (demo data, SQLite) run with
// --cpu-prof on the servers' core under the overview row's load (v1 JSON or v1 XML, 50 keep-alive
// connections, after a warm-up), then its profile summed by package and by function (self time).
// The .cpuprofile is kept under bench/results/ for Chrome DevTools or speedscope.
//
//   node bench/profile.mjs [--format json|xml] [--store sqlite|pg] [--seconds 10] [--top 25]
// (--store pg: PostgreSQL from PG_URL, default postgres://postgres@127.0.0.1:5432/test, in a schema
// of its own, dropped after)
import { spawn } from "node:child_process"
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { post } from "./lib/load.mjs"
import { cores, hasTaskset } from "./lib/machine.mjs"
import { createSchema } from "./lib/pg.mjs"
import { overviewForm, startSeededService, warmUp, wirePaths } from "./rows/service.mjs"

/** Self time of a V8 CPU profile, by package (or Node module) and by function, in shares of the total. */
export const summarize = (profile) => {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map()
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  const packageOf = ({ url, functionName }) => {
    if (url === "") return functionName || "(native)"
    const pnpm = /node_modules\/\.pnpm\/(@[^+/]+\+[^@/]+|[^@/]+)@/.exec(url)
    if (pnpm) return pnpm[1].replace("+", "/")
    const own = /\/(apps|packages)\/([^/]+)\//.exec(url)
    if (own) return `${own[1]}/${own[2]}`
    return url.startsWith("node:") ? `node:${url.slice(5).split("/")[0]}` : url
  }
  const byPackage = new Map()
  const byFunction = new Map()
  for (const [id, t] of self) {
    const frame = nodes.get(id).callFrame
    const pkg = packageOf(frame)
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + t)
    const where = frame.url === "" ? "" : ` ${frame.url.split("/").slice(-2).join("/")}:${frame.lineNumber + 1}`
    const fn = `${frame.functionName || "(anonymous)"}${where}`
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + t)
  }
  const ranked = (m) =>
    [...m].sort((a, b) => b[1] - a[1]).map(([name, t]) => ({ name, share: total === 0 ? 0 : t / total }))
  return { totalMs: total / 1000, byPackage: ranked(byPackage), byFunction: ranked(byFunction) }
}

const main = async () => {
  const { values } = parseArgs({
    options: {
      format: { type: "string", default: "json" },
      store: { type: "string", default: "sqlite" },
      seconds: { type: "string", default: "10" },
      top: { type: "string", default: "25" }
    }
  })
  const path = wirePaths[values.format]
  if (path === undefined) throw new Error("--format is json or xml")
  if (values.store !== "sqlite" && values.store !== "pg") throw new Error("--store is sqlite or pg")
  const pg =
    values.store === "pg"
      ? await createSchema(process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test")
      : undefined
  const dir = mkdtempSync(join(tmpdir(), "ao-bench-prof-"))
  try {
    const svc = await startSeededService({
      core: cores.server,
      nodeOptions: `--cpu-prof --cpu-prof-dir=${dir}`,
      ...(pg === undefined ? {} : { databaseUrl: pg.url })
    })
    let load
    try {
      await warmUp(svc.url, path, 2)
      load = await post({ url: svc.url + path, body: overviewForm, connections: 50, seconds: Number(values.seconds) })
    } finally {
      await svc.close()
    }
    const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"))
    if (file === undefined) throw new Error("the service wrote no profile")
    const results = fileURLToPath(new URL("./results/", import.meta.url))
    mkdirSync(results, { recursive: true })
    const kept = `overview-${values.format}-${values.store}-${new Date().toISOString().replace(/[:.]/g, "-")}.cpuprofile`
    copyFileSync(join(dir, file), join(results, kept))
    const s = summarize(JSON.parse(readFileSync(join(dir, file), "utf8")))
    const pct = (x) => `${(x * 100).toFixed(1).padStart(5)}%`
    const top = Number(values.top)
    console.log(
      `v1 ${values.format.toUpperCase()} overview on ${values.store}, 50 connections, ${values.seconds} s: ${Math.round(load.rps)} req/s, p99 ${load.p99} ms; ${s.totalMs.toFixed(0)} ms sampled (warm-up included)`
    )
    console.log("self time by package:")
    for (const r of s.byPackage.slice(0, top)) console.log(`  ${pct(r.share)}  ${r.name}`)
    console.log("self time by function:")
    for (const r of s.byFunction.slice(0, top)) console.log(`  ${pct(r.share)}  ${r.name}`)
    console.log(`profile kept as bench/results/${kept}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
    await pg?.drop()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (hasTaskset && process.env.BENCH_SUITE_PINNED !== "1") {
    const child = spawn("taskset", ["-c", cores.load, process.execPath, ...process.argv.slice(1)], {
      stdio: "inherit",
      env: { ...process.env, BENCH_SUITE_PINNED: "1" }
    })
    child.on("exit", (code) => process.exit(code ?? 1))
  } else {
    await main()
  }
}
