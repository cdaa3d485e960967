// The machine a run happens on, and how processes are placed on its cores.
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { cpus, loadavg, totalmem } from "node:os"

const works = (command, args) => {
  try {
    return spawnSync(command, args, { stdio: "ignore" }).status === 0
  } catch {
    return false
  }
}

/** `taskset` that can place a process on core 0 and on core 1 (two cores at least). */
export const hasTaskset =
  cpus().length >= 2 && works("taskset", ["-c", "0", "true"]) && works("taskset", ["-c", "1", "true"])

/** `wrk`, when installed: the load generator of choice then. Never installed by the suite. */
export const hasWrk = spawnSync("sh", ["-c", "command -v wrk"], { stdio: "ignore" }).status === 0

/** The server's core and the load generator's core. */
export const cores = { server: "0", load: "1" }

/** `[command, args]` running `argv` on `core` when `taskset` is there, else as is. */
export const onCore = (core, argv) =>
  hasTaskset && core !== undefined ? ["taskset", ["-c", core, ...argv]] : [argv[0], argv.slice(1)]

/** Moves a running process (all its threads) to `core`; false when it could not. */
export const moveToCore = (pid, core) => hasTaskset && works("taskset", ["-a", "-p", "-c", core, String(pid)])

/** The 1-minute load average, two decimals. */
export const load1 = () => Number(loadavg()[0].toFixed(2))

const cpuModel = () => {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"))
    return line === undefined ? (cpus()[0]?.model ?? "unknown") : line.slice(line.indexOf(":") + 1).trim()
  } catch {
    return cpus()[0]?.model ?? "unknown"
  }
}

/** What the figures of a run depend on: cores, CPU, memory, Node, placement, load generator. */
export const describe = () => ({
  nproc: cpus().length,
  cpu: cpuModel(),
  memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  taskset: hasTaskset,
  placement: hasTaskset ? `servers on core ${cores.server}, load generators on core ${cores.load}` : "not pinned",
  loadGenerator: hasWrk ? "wrk" : "autocannon",
  loadAverage: loadavg().map((n) => Number(n.toFixed(2)))
})

const ticksPerSecond = (() => {
  const n = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim())
  return Number.isFinite(n) && n > 0 ? n : 100
})()

const machineBusySeconds = () => {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number)
  // user nice system idle iowait irq softirq steal
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / ticksPerSecond
}

const suiteSeconds = () => {
  const stat = readFileSync("/proc/self/stat", "utf8")
  const f = stat
    .slice(stat.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number)
  // utime stime cutime cstime: this process and the children it has waited for (their own children included)
  return (f[11] + f[12] + f[13] + f[14]) / ticksPerSecond
}

/**
 * Starts watching how much CPU the rest of the machine uses (all cores, minus this process and
 * the children it has waited for); `stop()` answers it in cores (0.5 = half a core on average).
 * Work the suite causes outside its own processes (PostgreSQL's backends) counts as other work.
 */
export const watchOtherWork = () => {
  try {
    const t0 = performance.now()
    const machine0 = machineBusySeconds()
    const suite0 = suiteSeconds()
    return () => {
      const seconds = (performance.now() - t0) / 1000
      const other = machineBusySeconds() - machine0 - (suiteSeconds() - suite0)
      return seconds <= 0 ? undefined : Number(Math.max(0, other / seconds).toFixed(2))
    }
  } catch {
    return () => undefined
  }
}
