// The built microservice (`account-overview-server` of @account-overview/http) over a fresh
// SQLite file seeded with the demo data, for the suite's own measurements.
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { demoApiKey, demoApiUser } from "@account-overview/http"
import { post } from "../lib/load.mjs"
import { startServer, stop } from "../lib/process.mjs"

const require = createRequire(import.meta.url)
const manifest = require.resolve("@account-overview/http/package.json")
const bin = join(dirname(manifest), JSON.parse(readFileSync(manifest, "utf8")).bin["account-overview-server"])

/** The wire calls the suite makes: v1 JSON and v1 XML, a demo customer in overage. */
export const wirePaths = { json: "/api/distributor.account.json", xml: "/api/distributor.account.xml" }

/** The form body of an overview call for the demo reseller's customer in overage. */
export const overviewForm = `api_user=${demoApiUser}&api_key=${encodeURIComponent(demoApiKey)}&task=overview&user=${encodeURIComponent("over@demo.example")}`

/**
 * Starts the service seeded with the demo data on `core`, over a fresh SQLite file or over
 * `databaseUrl` (`nodeOptions`: NODE_OPTIONS of the server process); `close()` stops it and
 * removes its SQLite file.
 */
export const startSeededService = async ({ core, nodeOptions, databaseUrl } = {}) => {
  const dir = mkdtempSync(join(tmpdir(), "ao-bench-service-"))
  const env = {
    DATABASE_URL: databaseUrl ?? `sqlite:${join(dir, "bench.db")}`,
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: "info"
  }
  try {
    const seeded = spawnSync(process.execPath, [bin, "seed-demo"], {
      env: { ...process.env, ...env },
      encoding: "utf8"
    })
    if (seeded.status !== 0) throw new Error(`seed-demo exited with ${seeded.status}: ${seeded.stderr}`)
    const serveEnv = nodeOptions === undefined ? env : { ...env, NODE_OPTIONS: nodeOptions }
    const server = await startServer([process.execPath, bin, "serve"], { env: serveEnv, core })
    return {
      ...server,
      close: async () => {
        await stop(server.child)
        rmSync(dir, { recursive: true, force: true })
      }
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true })
    throw e
  }
}

/** One overview call: status, content type and body bytes. */
export const callOnce = async (url, path) => {
  const response = await fetch(url + path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: overviewForm
  })
  const body = Buffer.from(await response.arrayBuffer())
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${body.toString("latin1")}`)
  return { type: response.headers.get("content-type"), body }
}

/**
 * The warm-up before a measurement: one call (it caches the reseller's key; 50 cold calls at
 * once would each verify it with scrypt), then `seconds` of the measured load.
 */
export const warmUp = async (url, path, seconds) => {
  await callOnce(url, path)
  await post({ url: url + path, body: overviewForm, connections: 50, seconds })
}
