// The load generator of the suite's own HTTP measurements: autocannon (npm) by default, wrk when
// it is installed. Both answer `{ rps, p50, p99, requests, non2xx, errors }`, latencies in ms.
import { execFile } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import autocannon from "autocannon"
import { hasWrk } from "./machine.mjs"
import { cpuMicros, schedSeconds } from "./process.mjs"

const form = "application/x-www-form-urlencoded"

const viaAutocannon = async ({ url, body, connections, seconds }) => {
  const result = await autocannon({
    url,
    method: "POST",
    headers: { "content-type": form },
    body,
    connections,
    pipelining: 1,
    duration: seconds
  })
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors
  }
}

const luaString = (s) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, "\\n")}"`

const toMs = (value, unit) => Number(value) * { us: 0.001, ms: 1, s: 1000 }[unit]

/** Reads wrk's report (run with `--latency`). */
export const parseWrk = (text) => {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text)
  const total = /(\d+) requests in/.exec(text)
  const p50 = /^\s*50(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$/m.exec(text)
  const p99 = /^\s*99(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$/m.exec(text)
  if (rps === null || total === null || p50 === null || p99 === null) {
    throw new Error(`unreadable wrk report:\n${text}`)
  }
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text)
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text)
  return {
    rps: Number(rps[1]),
    p50: toMs(p50[1], p50[2]),
    p99: toMs(p99[1], p99[2]),
    requests: Number(total[1]),
    non2xx: non2xx === null ? 0 : Number(non2xx[1]),
    errors: socket === null ? 0 : socket.slice(1).reduce((a, n) => a + Number(n), 0)
  }
}

const viaWrk = ({ url, body, connections, seconds }) => {
  const dir = mkdtempSync(join(tmpdir(), "ao-bench-wrk-"))
  const script = join(dir, "post.lua")
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = ${luaString(body)}\nwrk.headers["Content-Type"] = "${form}"\n`)
  return new Promise((resolve, reject) => {
    execFile(
      "wrk",
      ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency", "-s", script, url],
      { timeout: (seconds + 30) * 1000 },
      (error, stdout) => {
        rmSync(dir, { recursive: true, force: true })
        if (error) reject(error)
        else {
          try {
            resolve(parseWrk(stdout))
          } catch (e) {
            reject(e)
          }
        }
      }
    )
  })
}

/** Which generator `post` uses. */
export const generator = hasWrk ? "wrk" : "autocannon"

/**
 * `connections` keep-alive connections POSTing the same form `body` to `url` for `seconds`;
 * fails on any non-2xx answer or socket error, since such a run measures something else.
 */
export const post = async (options) => {
  const result = hasWrk ? await viaWrk(options) : await viaAutocannon(options)
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${options.url}: ${result.non2xx} non-2xx answers, ${result.errors} socket errors`)
  }
  return result
}

/** Exactly `amount` requests cycling through `requests` (autocannon: wrk has no request count). */
export const postAmount = async ({ url, requests, connections, amount }) => {
  const result = await autocannon({ url, connections, pipelining: 1, amount, requests })
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} socket errors`)
  }
  return { rps: result.requests.average, p99: result.latency.p99, requests: result.requests.total }
}

/**
 * `post` against a server process `pid`, with what the server spent: CPU µs per request (all
 * threads), and the share of the run its main thread waited for its core (`waitShare`: other work
 * on that core).
 */
export const postMeasured = async (pid, options) => {
  const cpu0 = cpuMicros(pid)
  const sched0 = schedSeconds(pid)
  const result = await post(options)
  const cpu1 = cpuMicros(pid)
  const sched1 = schedSeconds(pid)
  return {
    ...result,
    ...(cpu0 === undefined || cpu1 === undefined
      ? {}
      : { cpuMicros: (cpu1 - cpu0) / result.requests, busy: (cpu1 - cpu0) / (options.seconds * 1e6) }),
    ...(sched0 === undefined || sched1 === undefined
      ? {}
      : { waitShare: Number(((sched1.wait - sched0.wait) / options.seconds).toFixed(3)) })
  }
}
