// The service's memory under load: RSS (VmRSS) of a fresh server process at start, after
// 100,000 and after 200,000 overview calls (v1 JSON and v1 XML alternating, 50 connections);
// the growth over the second 100,000 is what a leak would show. The same again with V8's old
// space capped when that growth misses its target (informational): a leak still grows there (or
// crashes), a heap V8 has not finished sizing does not.
import { setTimeout as sleep } from "node:timers/promises"
import { postAmount } from "../lib/load.mjs"
import { cores } from "../lib/machine.mjs"
import { rssMB } from "../lib/process.mjs"
import { figure } from "../lib/report.mjs"
import { callOnce, overviewForm, startSeededService, wirePaths } from "./service.mjs"

export const id = "memory"
export const title = "server memory: RSS at start, after 100,000 and 200,000 requests"

const cappedOldSpaceMB = 64
const settle = () => sleep(1000)

const curve = async (half, nodeOptions) => {
  const svc = await startSeededService({ core: cores.server, nodeOptions })
  try {
    const requests = Object.values(wirePaths).map((path) => ({
      method: "POST",
      path,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: overviewForm
    }))
    await settle()
    const start = rssMB(svc.pid)
    // One call first: it caches the reseller's key, which 50 cold calls at once would each verify with scrypt.
    await callOnce(svc.url, wirePaths.json)
    const first = await postAmount({ url: svc.url, requests, connections: 50, amount: half })
    await settle()
    const afterFirst = rssMB(svc.pid)
    const second = await postAmount({ url: svc.url, requests, connections: 50, amount: half })
    await settle()
    const afterSecond = rssMB(svc.pid)
    return { start, afterFirst, afterSecond, first, second }
  } finally {
    await svc.close()
  }
}

export const run = async ({ quick }) => {
  const half = quick ? 20_000 : 100_000
  const k = (n) => `${n / 1000}k`
  const plain = await curve(half)
  const growth = plain.afterSecond - plain.afterFirst
  const figures = [
    figure({ name: "RSS at start", value: plain.start, unit: "MB" }),
    figure({
      name: `RSS after ${k(half)} requests`,
      value: plain.afterFirst,
      unit: "MB",
      note: `${Math.round(plain.first.rps)} req/s, p99 ${plain.first.p99} ms`
    }),
    figure({
      name: `RSS after ${k(2 * half)} requests`,
      value: plain.afterSecond,
      unit: "MB",
      note: `${Math.round(plain.second.rps)} req/s, p99 ${plain.second.p99} ms`
    }),
    figure({
      name: `RSS growth over the second ${k(half)}`,
      value: growth,
      unit: "MB",
      baseline: { name: "RSS at start", value: plain.start, unit: "MB" },
      target: { of: "value", op: "<", limit: 10, text: "< 10 MB" }
    })
  ]
  // Only when the growth misses: tell a leak from a heap V8 has not finished sizing.
  let capped
  if (growth >= 10) {
    capped = await curve(half, `--max-old-space-size=${cappedOldSpaceMB}`)
    figures.push(
      figure({
        name: `leak check: same with old space capped at ${cappedOldSpaceMB} MB`,
        value: capped.afterSecond - capped.afterFirst,
        unit: "MB",
        baseline: { name: "RSS at start", value: capped.start, unit: "MB" },
        note: `RSS ${capped.start.toFixed(1)} -> ${capped.afterFirst.toFixed(1)} -> ${capped.afterSecond.toFixed(1)} MB`
      })
    )
  }
  return { figures, raw: { half, plain, ...(capped === undefined ? {} : { capped, cappedOldSpaceMB }) } }
}
