#!/usr/bin/env node
// The adversarial suite (`pnpm test:attack`): the built service (apps/http/dist) attacked over
// real sockets, on SQLite and PostgreSQL, so that a regression of a promise that held shows:
// HTTP smuggling, slowloris, idle connections, oversize bodies and headers, injection and odd
// bytes in names, numbers past the bounds, names past the limit, voids, and SIGKILL during an
// ingestion followed by a replay that must count every event once. Needs no root; takes about a
// minute, so it is not part of .ci/run. Each attack prints one line; the exit code is the number
// of attacks that failed.
//
//   pnpm build && pnpm test:attack            (PG_URL overrides the PostgreSQL URL; --sqlite-only)
import { spawn, spawnSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import net from "node:net"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const bin = join(root, "apps", "http", "dist", "bin.js")
const pgUrl = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test"
const token = randomBytes(24).toString("base64url")
const dir = mkdtempSync(join(tmpdir(), "ao-attack-"))
const run = randomBytes(4).toString("hex")
let failures = 0

const startServer = (env) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "serve"], {
      env: { ...process.env, ...env, ADMIN_TOKEN: token, PORT: "0", HOST: "127.0.0.1", HEADERS_TIMEOUT_MS: "2000" },
      stdio: ["ignore", "pipe", "inherit"]
    })
    let buffered = ""
    const onData = (chunk) => {
      buffered += chunk
      const m = /"url":"(http:\/\/[^"]+)"/.exec(buffered)
      if (m) {
        child.stdout.off("data", onData)
        child.stdout.resume()
        const url = new URL(m[1])
        resolve({ child, base: m[1], port: Number(url.port) })
      }
    }
    child.stdout.setEncoding("utf8")
    child.stdout.on("data", onData)
    child.once("exit", (code) => reject(new Error(`server exited with ${code} before listening`)))
  })

const stop = (child, signal = "SIGTERM") =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill(signal)
  })

const api = async (base, method, path, json, headers = {}) => {
  const body = json === undefined ? undefined : typeof json === "string" ? json : JSON.stringify(json)
  const response = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
    body
  })
  const text = await response.text()
  let parsed
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = text
  }
  return { status: response.status, body: parsed }
}

/** Raw bytes on a socket; resolves with what came back when the server closes or `ms` pass. */
const raw = (port, bytes, ms = 3000) =>
  new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1")
    let got = ""
    const started = performance.now()
    const finish = (closed) => {
      socket.destroy()
      resolve({ text: got, closed, ms: performance.now() - started })
    }
    const timer = setTimeout(() => finish(false), ms)
    socket.on("data", (d) => {
      got += d.toString("latin1")
    })
    socket.on("close", () => {
      clearTimeout(timer)
      finish(true)
    })
    socket.on("error", () => undefined)
    socket.write(bytes)
  })

const attack = async (name, f) => {
  try {
    await f()
    console.log(`held    ${name}`)
  } catch (error) {
    failures++
    console.log(`BROKE   ${name}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

const expect = (condition, message) => {
  if (!condition) throw new Error(message)
}

const seed = async (base, prefix, customers) => {
  await api(base, "PUT", `/v1/packages/${prefix}-p`, { credits: 1000 })
  await api(base, "PUT", `/v1/resellers/${prefix}-r`, { apiKey: `${prefix}-key-0123456789` })
  const users = Array.from({ length: customers }, (_, i) => `${prefix}-u${i}`)
  for (const user of users) {
    const answer = await api(base, "PUT", `/v1/customers/${encodeURIComponent(user)}`, {
      reseller: `${prefix}-r`,
      package: `${prefix}-p`,
      billingAnchor: "2020-01-01",
      reputation: 50
    })
    expect(answer.status === 200, `seed ${user}: ${answer.status}`)
  }
  return users
}

const events = (prefix, n, users, credits = 1) =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    user: users[i % users.length],
    requests: 1,
    credits,
    occurredAt: "2024-03-10T12:00:00Z"
  }))

const creditsOf = async (base, user) =>
  (await api(base, "GET", `/v1/customers/${encodeURIComponent(user)}/overview?date=2024-03-20`)).body.creditsUsed

const suite = async (store, env) => {
  const server = await startServer(env)
  const { base, port } = server
  const p = `${store}-${run}`
  const users = await seed(base, p, 3)
  try {
    await attack(`${store}: request smuggling (Content-Length with Transfer-Encoding) is refused`, async () => {
      const r = await raw(
        port,
        "POST /v1/usage HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
      )
      expect(/^HTTP\/1\.1 400/.test(r.text), `answered ${r.text.slice(0, 40) || "nothing"}`)
      expect(!r.text.includes('"status":"ok"'), "the smuggled request was answered")
    })
    await attack(`${store}: two Content-Length headers are refused`, async () => {
      const r = await raw(
        port,
        "POST /v1/usage HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n[]"
      )
      expect(/^HTTP\/1\.1 400/.test(r.text), `answered ${r.text.slice(0, 40) || "nothing"}`)
    })
    await attack(`${store}: slowloris (headers never finished) is cut off by the headers timeout`, async () => {
      const r = await raw(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ", 8000)
      expect(r.closed && r.ms < 7000, `connection still open after ${Math.round(r.ms)} ms`)
    })
    await attack(`${store}: 1,000 idle connections do not stop /healthz or an overview`, async () => {
      const sockets = await Promise.all(
        Array.from(
          { length: 1000 },
          () =>
            new Promise((resolve) => {
              const s = net.connect(port, "127.0.0.1", () => resolve(s))
              s.on("error", () => resolve(s))
            })
        )
      )
      try {
        const h = await fetch(`${base}/healthz`)
        expect(h.status === 200, `/healthz ${h.status}`)
        expect((await creditsOf(base, users[0])) === 0, "overview failed")
      } finally {
        for (const s of sockets) s.destroy()
      }
    })
    await attack(`${store}: an oversize body is 413 and an oversize header 431, nothing stored`, async () => {
      const big = await api(base, "POST", "/v1/usage", `[${" ".repeat(17 * 1024 * 1024)}]`)
      expect(big.status === 413, `body: ${big.status}`)
      const header = await raw(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(70_000)}\r\n\r\n`)
      expect(/^HTTP\/1\.1 431/.test(header.text), `header: ${header.text.slice(0, 40) || "nothing"}`)
    })
    await attack(`${store}: SQL in names is stored and read back as text`, async () => {
      const name = `${p}'; DROP TABLE customers; --`
      const put = await api(base, "PUT", `/v1/customers/${encodeURIComponent(name)}`, {
        reseller: `${p}-r`,
        package: `${p}-p`,
        billingAnchor: "2020-01-01",
        reputation: 1
      })
      expect(put.status === 200, `put: ${put.status}`)
      const got = await api(base, "GET", `/v1/customers/${encodeURIComponent(name)}`)
      expect(got.status === 200 && got.body.user === name, `get: ${got.status}`)
      expect((await creditsOf(base, users[0])) === 0, "customers table gone")
    })
    await attack(`${store}: odd bytes (NUL in a name, a body that is not UTF-8) are 400`, async () => {
      const nul = await api(base, "PUT", `/v1/packages/${p}%00x`, { credits: 1 })
      expect(nul.status === 400, `NUL name: ${nul.status}`)
      const response = await fetch(`${base}/v1/usage`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: Buffer.from([0x5b, 0xff, 0xfe, 0x5d])
      })
      expect(response.status === 400, `bad UTF-8: ${response.status}`)
    })
    await attack(
      `${store}: an event of 2^53-1 credits is a 400 naming the field; the customer stays readable`,
      async () => {
        const answer = await api(base, "POST", "/v1/usage", [
          { ...events(`${p}-big`, 1, users)[0], credits: 2 ** 53 - 1 }
        ])
        expect(answer.status === 400 && answer.body.problems?.[0]?.field === "credits", `answered ${answer.status}`)
        expect((await creditsOf(base, users[0])) === 0, "overview failed")
        const listing = await api(base, "GET", `/v1/resellers/${p}-r/overviews`)
        expect(listing.status === 200, `listing: ${listing.status}`)
        const ready = await fetch(`${base}/readyz`)
        expect(ready.status === 200, `/readyz ${ready.status}`)
      }
    )
    await attack(`${store}: a day past 10^14 credits is refused; totals stay exact`, async () => {
      const full = events(`${p}-day`, 100, [users[1]], 1e12)
      expect((await api(base, "POST", "/v1/usage", full)).status === 200, "100 events of 10^12 refused")
      const over = await api(base, "POST", "/v1/usage", events(`${p}-over`, 1, [users[1]]))
      expect(over.status === 400 && over.body.problems?.[0]?.field === "credits", `answered ${over.status}`)
      expect((await creditsOf(base, users[1])) === 1e14, "total not exact")
    })
    await attack(`${store}: names of 255 characters work, 256 is a 400 naming the field`, async () => {
      const ok = await api(base, "PUT", `/v1/packages/${"n".repeat(255)}`, { credits: 1 })
      expect(ok.status === 200, `255: ${ok.status}`)
      const long = await api(base, "GET", `/v1/customers/${"n".repeat(256)}/overview`)
      expect(long.status === 400 && long.body.problems?.[0]?.field === "user", `256: ${long.status}`)
    })
    await attack(`${store}: voiding twice is a duplicate, an unknown id a problem by index`, async () => {
      await api(base, "POST", "/v1/usage", events(`${p}-v`, 3, [users[2]], 5))
      const first = await api(base, "POST", "/v1/usage/voids", { ids: [`${p}-v-0`] })
      const again = await api(base, "POST", "/v1/usage/voids", { ids: [`${p}-v-0`] })
      const unknown = await api(base, "POST", "/v1/usage/voids", { ids: [`${p}-v-1`, `${p}-nope`] })
      expect(first.body.voided === 1 && again.body.duplicates?.length === 1, "not idempotent")
      expect(unknown.status === 400 && unknown.body.problems?.[0]?.index === 1, `unknown: ${unknown.status}`)
      expect((await creditsOf(base, users[2])) === 10, "the voided event still counts")
    })
    await attack(`${store}: SIGKILL during ingestion, then a replay counts every event once`, async () => {
      const batches = Array.from({ length: 6 }, (_, b) => events(`${p}-kill-${b}`, 10_000, [users[0]]))
      const sent = batches.map((batch) => api(base, "POST", "/v1/usage", batch).catch(() => undefined))
      await new Promise((r) => setTimeout(r, 150))
      await stop(server.child, "SIGKILL")
      await Promise.all(sent)
      const again = await startServer(env)
      server.child = again.child
      for (const batch of batches) {
        const answer = await api(again.base, "POST", "/v1/usage", batch)
        expect(answer.status === 200, `replay: ${answer.status}`)
      }
      const total = await creditsOf(again.base, users[0])
      expect(total === 60_000, `counted ${total} credits for 60,000 events`)
    })
  } finally {
    await stop(server.child)
  }
}

try {
  await suite("sqlite", { DATABASE_URL: `sqlite:${join(dir, "attack.db")}` })
  if (!process.argv.includes("--sqlite-only")) {
    const schema = `ao_attack_${run}`
    const created = spawnSync("psql", [pgUrl, "-qc", `CREATE SCHEMA ${schema}`])
    if (created.status !== 0) {
      failures++
      console.log(`BROKE   pg: cannot create a schema (${created.stderr})`)
    } else {
      const url = new URL(pgUrl)
      url.searchParams.set("options", `-c search_path=${schema}`)
      try {
        await suite("pg", { DATABASE_URL: url.toString() })
      } finally {
        spawnSync("psql", [pgUrl, "-qc", `DROP SCHEMA IF EXISTS ${schema} CASCADE`])
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
console.log(failures === 0 ? "every attack held" : `${failures} attack(s) broke something`)
process.exit(failures)
