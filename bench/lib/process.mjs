// Child processes of the suite: the per-package bench scripts it runs, and the servers it starts.
import { spawn, spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { moveToCore, onCore } from "./machine.mjs"

/**
 * Runs a per-package bench script (`node <script> ...args`) to its end, its stderr passed
 * through, and answers its stdout; fails when it exits non-zero (`allowExit` lists other
 * codes that still carry figures, e.g. a script that exits 1 on a missed target).
 * `pinChildren`: move the script's child processes (its server) to that core once they appear.
 */
export const runScript = (script, args = [], { env = {}, cwd, core, pinChildren, allowExit = [] } = {}) =>
  new Promise((resolve, reject) => {
    const [command, argv] = onCore(core, [process.execPath, script, ...args])
    const child = spawn(command, argv, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] })
    let stdout = ""
    child.stdout.setEncoding("utf8")
    child.stdout.on("data", (chunk) => {
      stdout += chunk
    })
    const moved = new Set()
    const timer =
      pinChildren === undefined
        ? undefined
        : setInterval(() => {
            for (const pid of descendants(child.pid)) {
              if (!moved.has(pid) && moveToCore(pid, pinChildren)) moved.add(pid)
            }
          }, 50)
    child.on("error", reject)
    child.on("close", (code, signal) => {
      if (timer !== undefined) clearInterval(timer)
      if (code === 0 || allowExit.includes(code)) resolve({ stdout, code, pinnedChildren: [...moved] })
      else reject(new Error(`${script} exited with ${code ?? signal}\n${stdout.slice(-2000)}`))
    })
  })

/** The last line of `stdout` that is a JSON object. */
export const lastJsonLine = (stdout) => {
  const lines = stdout.trim().split("\n").reverse()
  for (const line of lines) {
    if (!line.startsWith("{")) continue
    try {
      return JSON.parse(line)
    } catch {}
  }
  throw new Error(`no JSON line in the output:\n${stdout.slice(-2000)}`)
}

const childrenOf = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/** Every process below `pid` (Linux `/proc`; empty elsewhere). */
export const descendants = (pid) => {
  const out = []
  const queue = [pid]
  while (queue.length > 0) {
    for (const c of childrenOf(queue.shift())) {
      out.push(c)
      queue.push(c)
    }
  }
  return out
}

/**
 * Starts a server process on `core` and answers `{ child, url, pid }` once it prints where it
 * listens: a JSON log line with `"url":"http://…"` or a line `listening http://…`. `pid` is the
 * server's own (not `taskset`'s: taskset execs, so they are the same).
 */
export const startServer = (argv, { env = {}, core, timeoutMs = 30_000 } = {}) =>
  new Promise((resolve, reject) => {
    const [command, args] = onCore(core, argv)
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] })
    let buffered = ""
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`${argv.join(" ")} did not listen within ${timeoutMs} ms`))
    }, timeoutMs)
    const onData = (chunk) => {
      buffered += chunk
      const match = /"url":"(http:\/\/[^"]+)"/.exec(buffered) ?? /^listening (http:\/\/\S+)/m.exec(buffered)
      if (match) {
        clearTimeout(timer)
        child.stdout.off("data", onData)
        child.stdout.resume()
        resolve({ child, url: match[1], pid: child.pid })
      }
    }
    child.stdout.setEncoding("utf8")
    child.stdout.on("data", onData)
    child.on("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`${argv.join(" ")} exited with ${code} before listening`))
    })
  })

/** Stops a process with SIGTERM (SIGKILL after `graceMs`) and waits for its exit. */
export const stop = (child, graceMs = 10_000) =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs)
    child.once("exit", () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill("SIGTERM")
  })

/** Resident set size of `pid` in MB (10^6 bytes), from `/proc/<pid>/status` (VmRSS, in KiB). */
export const rssMB = (pid) => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8")
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status)
  if (match === null) throw new Error(`no VmRSS for process ${pid}`)
  return (Number(match[1]) * 1024) / 1e6
}

const clockTicks = (() => {
  const out = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" })
  const n = Number(out.stdout?.trim())
  return Number.isFinite(n) && n > 0 ? n : 100
})()

/** CPU time (user + system, all threads) `pid` has used, in µs, from `/proc/<pid>/stat`; undefined elsewhere. */
export const cpuMicros = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks
  } catch {
    return undefined
  }
}

/**
 * Time the main thread of `pid` has run and waited on a run queue, in seconds, from
 * `/proc/<pid>/schedstat`; undefined elsewhere. Waiting means the server was ready to work while
 * its core ran something else: a run with much waiting measured the machine, not the server.
 */
export const schedSeconds = (pid) => {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/schedstat`, "utf8").trim().split(" ").map(Number)
    return { run: run / 1e9, wait: wait / 1e9 }
  } catch {
    return undefined
  }
}
