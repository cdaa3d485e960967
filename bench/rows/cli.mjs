// The CLI's start-up against `node -e 0`: apps/cli/bench/startup.mjs, run on all cores (as a
// command typed by hand is), its report read from its text lines.
import { cpus } from "node:os"
import { fileURLToPath } from "node:url"
import { hasTaskset } from "../lib/machine.mjs"
import { runScript } from "../lib/process.mjs"
import { figure } from "../lib/report.mjs"

const script = fileURLToPath(new URL("../../apps/cli/bench/startup.mjs", import.meta.url))

export const id = "cli"
export const title = "CLI --help and one overview call, median wall time against node -e 0"

/** Reads `<name>  median <ms> ms  <ratio>x` lines. */
export const parseStartup = (stdout) => {
  const rows = new Map()
  for (const line of stdout.split("\n")) {
    const m = /^(.+?)\s+median\s+([\d.]+) ms\s+([\d.]+)x\s*$/.exec(line)
    if (m) rows.set(m[1].trim(), { ms: Number(m[2]), ratio: Number(m[3]) })
  }
  return rows
}

export const run = async ({ quick }) => {
  const { stdout } = await runScript(script, ["--runs", quick ? "5" : "21"], {
    core: hasTaskset ? `0-${cpus().length - 1}` : undefined
  })
  const rows = parseStartup(stdout)
  const base = rows.get("node -e 0")
  const help = rows.get("account-overview --help")
  const overview = [...rows.entries()].find(([name]) => name.startsWith("account-overview overview"))
  if (base === undefined || help === undefined || overview === undefined) {
    throw new Error(`unexpected output of apps/cli/bench/startup.mjs:\n${stdout}`)
  }
  const baseline = { name: "node -e 0", value: base.ms, unit: "ms" }
  return {
    figures: [
      figure({
        name: "account-overview --help",
        value: help.ms,
        unit: "ms",
        baseline,
        ratio: help.ms / base.ms,
        target: { of: "ratio", op: "<=", limit: 4, text: "<= 4x node -e 0" }
      }),
      figure({
        name: "account-overview overview <user> (local fixed-body server)",
        value: overview[1].ms,
        unit: "ms",
        baseline,
        ratio: overview[1].ms / base.ms
      })
    ],
    raw: { stdout }
  }
}
