#!/usr/bin/env node
// The benchmark suite: every row of the performance issue in one run, each figure as a ratio
// against a baseline measured in the same run. Builds nothing: the root `pnpm bench` builds first.
//
//   pnpm bench                       the full run (a few minutes), table on stdout
//   pnpm bench:check                 the same; exits 1 when a figure misses its target
//   node bench/run.mjs --quick       shorter durations, a smoke run
//   node bench/run.mjs --only overview,memory
//   node bench/run.mjs --list        the rows
//
// PostgreSQL: PG_URL or --pg (default postgres://postgres@127.0.0.1:5432/test); each script
// works in a schema of its own and drops it.
import { spawn } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { cores, describe, hasTaskset, load1, watchOtherWork } from "./lib/machine.mjs"
import { table, verdict } from "./lib/report.mjs"

const rowFiles = ["core", "cli", "sdk", "overview", "postgres", "ingest", "stall", "memory"]

const options = {
  check: { type: "boolean", default: false },
  quick: { type: "boolean", default: false },
  only: { type: "string" },
  list: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
  "wait-quiet": { type: "string" },
  pg: { type: "string", default: process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test" }
}

const log = (line) => process.stderr.write(`${line}\n`)

const usage = `Usage: node bench/run.mjs [--quick] [--only <row>[,<row>]] [--check] [--pg <url>] [--list]

  --quick        shorter durations and fewer rounds: a smoke run, not figures to quote
  --only <rows>  run these rows only (see --list)
  --check        exit 1 when a figure misses its target (the root \`pnpm bench:check\`)
  --pg <url>     PostgreSQL to use (default PG_URL or postgres://postgres@127.0.0.1:5432/test)
  --wait-quiet <s>  before each row, wait up to <s> s until other work on the machine
                 stays under 0.15 cores for 5 s (on a machine shared with other work)

The table goes to stdout, progress to stderr, the figures to bench/results/<time>.json and
bench/results/latest.json. Exit codes: 0 done, 1 a row did not run (or a MISS with --check), 2 usage.`

const quietCores = 0.15

// Waits until the rest of the machine uses less than `quietCores` over 5 s, at most `limit` s.
const waitForQuiet = async (limit) => {
  const t0 = performance.now()
  for (;;) {
    const stop = watchOtherWork()
    await new Promise((resolve) => setTimeout(resolve, 5000))
    const other = stop()
    const waited = Math.round((performance.now() - t0) / 1000)
    if (other === undefined || other < quietCores) return { waited, quiet: true }
    if (waited >= limit) return { waited, quiet: false, other }
    log(`bench: other work uses ${other} cores; waiting (${waited} s)`)
  }
}

const main = async () => {
  let args
  try {
    args = parseArgs({ options }).values
  } catch (e) {
    log(`${e.message}\n\n${usage}`)
    process.exitCode = 2
    return
  }
  if (args.help) {
    console.log(usage)
    return
  }
  const rows = await Promise.all(rowFiles.map((name) => import(`./rows/${name}.mjs`)))
  if (args.list) {
    for (const r of rows) console.log(`${r.id.padEnd(9)} ${r.title}`)
    return
  }
  const wanted = args.only === undefined ? undefined : new Set(args.only.split(",").map((s) => s.trim()))
  const unknown = wanted === undefined ? [] : [...wanted].filter((w) => !rows.some((r) => r.id === w))
  if (unknown.length > 0) {
    log(`unknown row ${unknown.join(", ")}; rows: ${rows.map((r) => r.id).join(", ")}`)
    process.exitCode = 2
    return
  }
  const selected = rows.filter((r) => wanted === undefined || wanted.has(r.id))
  const machine = describe()
  const started = new Date()
  log(
    `bench: ${machine.nproc} cores (${machine.cpu}), node ${machine.node}, ${machine.placement}, load average ${machine.loadAverage.join(" ")}${args.quick ? ", quick" : ""}`
  )
  const sections = []
  for (const r of selected) {
    const section = { id: r.id, title: r.title }
    if (args["wait-quiet"] !== undefined) section.waitedForQuiet = await waitForQuiet(Number(args["wait-quiet"]))
    section.loadBefore = load1()
    log(`bench: ${r.id}: ${r.title} ...`)
    const t0 = performance.now()
    const otherWork = watchOtherWork()
    try {
      const { figures, raw } = await r.run({ quick: args.quick, pgUrl: args.pg })
      section.figures = figures
      section.raw = raw
    } catch (e) {
      section.error = e instanceof Error ? e.message : String(e)
      log(`bench: ${r.id} failed: ${section.error}`)
    }
    section.seconds = Number(((performance.now() - t0) / 1000).toFixed(1))
    section.loadAfter = load1()
    section.otherWorkCores = otherWork()
    log(
      `bench: ${r.id} done in ${section.seconds} s (load ${section.loadBefore} -> ${section.loadAfter}; other work on the machine ${section.otherWorkCores ?? "n/a"} cores)`
    )
    sections.push(section)
  }
  const result = verdict(sections)
  const out = {
    date: started.toISOString(),
    seconds: Number(((Date.now() - started.getTime()) / 1000).toFixed(1)),
    quick: args.quick,
    machine: { ...machine, loadAverageAtEnd: describe().loadAverage },
    verdict: result,
    sections
  }
  const dir = fileURLToPath(new URL("./results/", import.meta.url))
  mkdirSync(dir, { recursive: true })
  const stamp = started.toISOString().replace(/[:.]/g, "-")
  const json = `${JSON.stringify(out, null, 2)}\n`
  writeFileSync(`${dir}${stamp}.json`, json)
  writeFileSync(`${dir}latest.json`, json)

  console.log(
    `${started.toISOString().slice(0, 16).replace("T", " ")} UTC, ${machine.nproc} x ${machine.cpu}, node ${machine.node}, ${machine.placement}, load average ${machine.loadAverage[0]} at start, ${out.machine.loadAverageAtEnd[0]} at end${args.quick ? ", QUICK run" : ""}`
  )
  console.log(table(sections))
  console.log(
    `other work on the machine meanwhile (cores, PostgreSQL's own processes included): ${sections.map((s) => `${s.id} ${s.otherWorkCores ?? "n/a"}`).join(", ")}`
  )
  const busy = sections.filter((s) => (s.otherWorkCores ?? 0) > 0.25)
  if (busy.length > 0) {
    console.log(
      `WARNING: other work used more than a quarter of a core during ${busy.map((s) => s.id).join(", ")}: those figures measured a shared machine; run again when it is quiet (load average < 1)`
    )
  }
  console.log(
    `${result.pass} PASS, ${result.miss} MISS, ${result.errors} rows did not run; ${out.seconds} s; written bench/results/${stamp}.json and bench/results/latest.json`
  )
  if (result.errors > 0 || (args.check && result.miss > 0)) process.exitCode = 1
}

// The suite's own load generator runs in this process: it goes on the load core, servers on the other.
if (hasTaskset && process.env.BENCH_SUITE_PINNED !== "1") {
  const child = spawn(
    "taskset",
    ["-c", cores.load, process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: "inherit",
      env: { ...process.env, BENCH_SUITE_PINNED: "1" }
    }
  )
  child.on("exit", (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)))
} else {
  await main()
}
