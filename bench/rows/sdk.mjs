// The SDK's overview() against raw undici Pool.request, 50 calls in flight to a fixed-body
// server: packages/sdk/bench/overview.mjs, run on the load generator's core, its server
// process moved to the servers' core once it is forked.
import { fileURLToPath } from "node:url"
import { cores } from "../lib/machine.mjs"
import { lastJsonLine, runScript } from "../lib/process.mjs"
import { figure } from "../lib/report.mjs"

const script = fileURLToPath(new URL("../../packages/sdk/bench/overview.mjs", import.meta.url))

export const id = "sdk"
export const title = "SDK overview() against raw undici Pool.request, 50 in flight"

export const run = async ({ quick }) => {
  const { stdout, pinnedChildren } = await runScript(
    script,
    ["--rounds", quick ? "2" : "5", "--ms", quick ? "1000" : "2000"],
    { core: cores.load, pinChildren: cores.server }
  )
  const out = lastJsonLine(stdout)
  const raw = out.results.find((r) => r.mode.includes("raw"))
  const sdk = out.results.find((r) => r.mode.startsWith("sdk overview() (undici)"))
  if (raw === undefined || sdk === undefined) throw new Error(`unexpected output of the SDK bench:\n${stdout}`)
  return {
    figures: [
      figure({
        name: sdk.mode,
        value: sdk.callsPerSecond,
        unit: "calls/s",
        baseline: { name: raw.mode, value: raw.callsPerSecond, unit: "calls/s" },
        ratio: sdk.callsPerSecond / raw.callsPerSecond,
        target: { of: "ratio", op: ">=", limit: 0.7, text: ">= 0.7x raw undici" }
      })
    ],
    raw: { ...out, serverPinned: pinnedChildren.length > 0 }
  }
}
