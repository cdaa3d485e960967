// Child processes for the release checks: run one to its end with a time limit, start a
// long-running one and wait for a line of its output, pick a free port.
import { spawn } from "node:child_process"
import { createServer } from "node:net"

/**
 * Runs `command` with `args` to its end; resolves to `{ code, signal, stdout, stderr }`.
 * Past `timeoutMs` the process (its whole group when `detached`) is killed and the promise
 * rejects, naming the command.
 */
export const run = (command, args, { timeoutMs = 300_000, input, ...options } = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], ...options })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      stdout += chunk
    })
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      stderr += chunk
    })
    const timer = setTimeout(() => {
      kill(child, "SIGKILL")
      reject(new Error(`${[command, ...args].join(" ")} did not end within ${timeoutMs / 1000} s\n${tail(stderr)}`))
    }, timeoutMs)
    child.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
    child.stdin.end(input)
  })

/**
 * Starts a long-running process. `waitFor(predicate, timeoutMs)` resolves to the first complete
 * output line (stdout or stderr) for which `predicate(line)` holds, and rejects when the
 * process ends first or the time runs out; `exited` resolves to `{ code, signal }`;
 * `output()` is everything it wrote so far; `kill(signal)` signals it (its whole process group
 * when started `detached`, as a terminal's Ctrl-C does).
 */
export const start = (command, args, options = {}) => {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options })
  let output = ""
  const waiters = new Set()
  const lines = { stdout: "", stderr: "" }
  let ended
  const exited = new Promise((resolve) => {
    child.on("close", (code, signal) => {
      ended = { code, signal }
      for (const waiter of waiters) waiter.fail(new Error(`the process ended (${code ?? signal}) first`))
      resolve(ended)
    })
  })
  child.on("error", (error) => {
    for (const waiter of waiters) waiter.fail(error)
  })
  for (const stream of ["stdout", "stderr"]) {
    child[stream].setEncoding("utf8").on("data", (chunk) => {
      output += chunk
      lines[stream] += chunk
      const complete = lines[stream].split("\n")
      lines[stream] = complete.pop() ?? ""
      for (const line of complete) for (const waiter of waiters) waiter.line(line)
    })
  }
  return {
    child,
    exited,
    output: () => output,
    kill: (signal) => kill(child, signal),
    waitFor: (predicate, timeoutMs) =>
      new Promise((resolve, reject) => {
        if (ended) return reject(new Error(`the process ended (${ended.code ?? ended.signal}) first`))
        const waiter = {
          line: (line) => {
            if (!predicate(line)) return
            waiters.delete(waiter)
            clearTimeout(timer)
            resolve(line)
          },
          fail: (error) => {
            waiters.delete(waiter)
            clearTimeout(timer)
            reject(error)
          }
        }
        const timer = setTimeout(() => waiter.fail(new Error(`no such line within ${timeoutMs / 1000} s`)), timeoutMs)
        waiters.add(waiter)
      })
  }
}

const groupLeaders = new WeakSet()

// A process group is signalled even when its leader has ended: what it started may still run.
const kill = (child, signal) => {
  try {
    if (groupLeaders.has(child)) process.kill(-child.pid, signal)
    else if (child.exitCode === null && child.signalCode === null) child.kill(signal)
  } catch {
    // already gone
  }
}

/** `start` for a process in a process group of its own: `kill` signals the whole group. */
export const startGroup = (command, args, options = {}) => {
  const started = start(command, args, { ...options, detached: true })
  groupLeaders.add(started.child)
  return started
}

/** A TCP port free on 127.0.0.1 at the time of the call. */
export const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

/** The last lines of a process's output, for a failure message. */
export const tail = (text, count = 15) => text.trimEnd().split("\n").slice(-count).join("\n")
