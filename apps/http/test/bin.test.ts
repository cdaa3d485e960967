import { type ChildProcess, execFile, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import * as Net from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { decodeResponse } from "@account-overview/core"
import { layerSqlClientPg } from "@account-overview/store"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import { SqlClient } from "effect/sql"
import { demoApiKey } from "../src/Demo.js"

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "ao-http-bin-"))
const children = new Set<ChildProcess>()
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL")
  rmSync(dir, { recursive: true, force: true })
})

const run = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : (error.code as number | null), stdout, stderr })
    )
  })

// Only for the demo, whose printed curl lines name the port before the server starts.
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = Net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as Net.AddressInfo
      server.close(() => resolve(address.port))
    })
  })

interface Served {
  readonly child: ChildProcess
  readonly output: () => string
  readonly exited: Promise<number | null>
  /** The port the server listens on: its own pick (PORT=0), read from its "listening" line. */
  readonly port: number
}

/** An answer from /healthz on a new connection: once it came, every connection made before was accepted. */
const acceptedBefore = (port: number) => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status)

/** Resolves once a new connection is refused (the server stopped listening). */
const refusedSoon = async (port: number): Promise<"refused"> => {
  for (;;) {
    const outcome = await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { connection: "close" } }).then(
      () => "answered",
      () => "refused" as const
    )
    if (outcome === "refused") return outcome
    await new Promise((resolve) => setImmediate(resolve))
  }
}

const serve = (env: Record<string, string>) =>
  new Promise<Served>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "serve"], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    children.add(child)
    let output = ""
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)))
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const listening = /"message":"listening".*?"url":"http:\/\/[^"]*:(\d+)/.exec(output)
      if (listening !== null) resolve({ child, output: () => output, exited, port: Number(listening[1]) })
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", onData)
    exited.then((code) => reject(new Error(`serve exited with ${code}: ${output}`)))
  })

describe("account-overview-server (bin.ts, Commands.ts, main.ts)", () => {
  it("is built", () => {
    assert.isTrue(existsSync(bin), "build the package first (pnpm --filter @account-overview/http build)")
  })

  it("prints its help, and refuses unknown commands with exit code 2", async () => {
    const help = await run(["--help"], {})
    assert.strictEqual(help.code, 0)
    assert.include(help.stdout, "Usage: account-overview-server [command]")
    assert.include(help.stdout, "seed-demo")
    const wrong = await run(["frobnicate", "--api-key=s3cret"], {})
    assert.strictEqual(wrong.code, 2)
    assert.notInclude(wrong.stderr + wrong.stdout, "s3cret")
  })

  it("seeds the demo twice without duplicating it, and the printed curl lines work as printed", async () => {
    const port = await freePort()
    const env = { DATABASE_URL: `sqlite:${join(dir, "demo", "demo.db")}`, PORT: String(port), LOG_LEVEL: "warn" }
    const first = await run(["seed-demo"], env)
    assert.strictEqual(first.code, 0, first.stderr)
    assert.match(first.stderr, /demo seeded: 7 new usage events, 0 already there/)
    const second = await run(["seed-demo"], env)
    assert.strictEqual(second.code, 0, second.stderr)
    assert.match(second.stderr, /demo seeded: 0 new usage events, 7 already there/)
    assert.strictEqual(second.stdout, first.stdout)
    const lines = first.stdout.trim().split("\n")
    assert.strictEqual(lines.length, 2)
    assert.isTrue(lines.every((line) => line.startsWith("curl ") && line.includes(`127.0.0.1:${port}`)))

    const served = await serve({ ...env, LOG_LEVEL: "info" })
    try {
      const [json, xml] = await Promise.all(
        lines.map(
          (line) =>
            new Promise<Buffer>((resolve, reject) =>
              execFile("sh", ["-c", line], { encoding: "buffer" }, (error, stdout) =>
                error === null ? resolve(stdout) : reject(error)
              )
            )
        )
      )
      const overviewOf = (body: Buffer) => {
        const decoded = decodeResponse(new Uint8Array(body))
        if (Result.isFailure(decoded) || decoded.success._tag !== "Overview") throw new Error(body.toString("latin1"))
        return decoded.success.overview
      }
      const umlaut = overviewOf(json!)
      assert.strictEqual(umlaut.package, "Paket Größe 5 — Ü")
      assert.strictEqual(umlaut.creditsUsed, 5_500)
      assert.strictEqual(umlaut.creditsOverage, 500)
      const over = overviewOf(xml!)
      assert.strictEqual(over.creditsUsed, 100_000)
      assert.strictEqual(over.creditsOverage, 50_000)
      assert.isTrue(xml!.toString("latin1").startsWith('<?xml version="1.0" encoding="ISO-8859-1"?>'))
      assert.notInclude(served.output(), demoApiKey)
    } finally {
      served.child.kill("SIGTERM")
      assert.strictEqual(await served.exited, 0)
    }
  }, 60_000)

  it("on SIGTERM finishes the requests in flight with 200, refuses new ones, then exits 0", async () => {
    const env = { DATABASE_URL: `sqlite:${join(dir, "term", "term.db")}`, PORT: "0", LOG_LEVEL: "info" }
    assert.strictEqual((await run(["seed-demo"], env)).code, 0)
    const served = await serve(env)
    const port = served.port
    const body = `api_user=demo&api_key=${demoApiKey}&task=overview&user=under%40demo.example`
    const sockets: Array<Net.Socket> = []
    const written: Array<Promise<void>> = []
    const inFlight = Array.from(
      { length: 3 },
      () =>
        new Promise<string>((resolve) => {
          const socket = Net.connect(port, "127.0.0.1")
          sockets.push(socket)
          let response = ""
          socket.on("data", (data) => {
            response += data.toString("latin1")
          })
          socket.on("close", () => resolve(response))
          socket.on("error", () => {})
          written.push(
            new Promise((done) =>
              socket.on("connect", () =>
                socket.write(
                  `POST /api/distributor.account.json HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
                  () => done()
                )
              )
            )
          )
        })
    )
    await Promise.all(written)
    // Once a later connection is answered, the three before it were accepted: they are in flight.
    assert.strictEqual(await acceptedBefore(port), 200)
    served.child.kill("SIGTERM")
    assert.strictEqual(await refusedSoon(port), "refused")
    // The rest of each body only once the server stopped listening: the requests span the shutdown.
    for (const socket of sockets) socket.write(body.slice(10))
    const responses = await Promise.all(inFlight)
    for (const response of responses) {
      assert.match(response, /^HTTP\/1\.1 200 OK/)
      assert.match(response, /connection: close/i)
      assert.include(response, '"credits_used":12500')
    }
    assert.strictEqual(await served.exited, 0)
    assert.notInclude(served.output(), demoApiKey)
  }, 60_000)

  it("on SIGTERM closes what is still open after SHUTDOWN_TIMEOUT_MS, and still exits 0", async () => {
    const env = {
      DATABASE_URL: `sqlite:${join(dir, "stuck", "stuck.db")}`,
      PORT: "0",
      LOG_LEVEL: "info",
      SHUTDOWN_TIMEOUT_MS: "500"
    }
    const served = await serve(env)
    const port = served.port
    let sent: () => void = () => {}
    const written = new Promise<void>((done) => {
      sent = done
    })
    const stuck = new Promise<string>((resolve) => {
      const socket = Net.connect(port, "127.0.0.1")
      socket.on("error", () => {})
      socket.on("close", () => resolve("closed"))
      socket.on("connect", () =>
        socket.write(
          "POST /api/distributor.account.json HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\napi_user=demo",
          () => sent()
        )
      )
    })
    await written
    assert.strictEqual(await acceptedBefore(port), 200)
    const signalled = performance.now()
    served.child.kill("SIGTERM")
    assert.strictEqual(await served.exited, 0)
    const took = performance.now() - signalled
    assert.strictEqual(await stuck, "closed")
    assert.isTrue(took >= 400 && took < 5_000, `exited after ${took} ms`)
  }, 30_000)
})

const jsonLines = (text: string) =>
  text
    .trim()
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>
      } catch {
        throw new Error(`not a JSON line: ${line}`)
      }
    })

const pgUrl = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test"

const dropSchema = (schema: string) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`
    }).pipe(Effect.provide(layerSqlClientPg(pgUrl)), Effect.orDie)
  )

describe("account-overview-server's logs and failures (Commands.ts, main.ts)", () => {
  it("migrate logs JSON lines from the first one: what starts, the store it opens (absolute), what it ran", async () => {
    const data = join(dir, "migrate-data")
    const result = await run(["migrate"], { DATA_DIR: data, DATABASE_URL: "", LOG_LEVEL: "info" })
    assert.strictEqual(result.code, 0, result.stdout + result.stderr)
    assert.strictEqual(result.stderr, "")
    const records = jsonLines(result.stdout)
    assert.deepStrictEqual(
      records.map((r) => r.message),
      ["starting", "opening the ledger", "database migrated"]
    )
    assert.strictEqual(records[0]!.command, "migrate")
    assert.strictEqual(records[0]!.dataDir, data)
    assert.strictEqual(records[1]!.file, join(data, "account-overview.db"))
    assert.isTrue(existsSync(join(data, "account-overview.db")))
  }, 30_000)

  it("a start-up failure is one JSON error line that says why, with no stack trace and no password", async () => {
    const settings = await run(["serve"], { PORT: "70000", LOG_LEVEL: "info" })
    assert.strictEqual(settings.code, 1)
    const [only, ...more] = jsonLines(settings.stdout)
    assert.deepStrictEqual(more, [])
    assert.strictEqual(only!.level, "error")
    assert.strictEqual(
      only!.message,
      'cannot start: a setting is invalid: Expected a value between 0 and 65535 at ["PORT"]'
    )

    const port = await freePort()
    const down = await run(["migrate"], { DATABASE_URL: `postgres://app:hunter2@127.0.0.1:${port}/ledger` })
    assert.strictEqual(down.code, 1)
    assert.notInclude(down.stdout + down.stderr, "hunter2")
    assert.notMatch(down.stdout, /\\n\s+at /)
    const records = jsonLines(down.stdout)
    const last = records.at(-1)!
    assert.strictEqual(last.level, "error")
    assert.strictEqual(
      last.message,
      `migrate failed: cannot migrate the ledger: connect ECONNREFUSED 127.0.0.1:${port}`
    )
  }, 30_000)

  it("a port in use stops serve with one line that names the address", async () => {
    const blocker = Net.createServer()
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, "127.0.0.1", () => resolve((blocker.address() as Net.AddressInfo).port))
    )
    try {
      const result = await run(["serve"], { DATABASE_URL: "sqlite::memory:", PORT: String(port) })
      assert.strictEqual(result.code, 1)
      const last = jsonLines(result.stdout).at(-1)!
      assert.strictEqual(
        last.message,
        `cannot start: cannot listen: listen EADDRINUSE: address already in use 127.0.0.1:${port}`
      )
    } finally {
      blocker.close()
    }
  }, 30_000)

  it("the README's PostgreSQL recipe works as written: a schema named by search_path is created when absent", async () => {
    const schema = `ao_bin_${randomBytes(6).toString("hex")}`
    const url = `${pgUrl}?options=-c%20search_path%3D${schema}`
    try {
      const first = await run(["migrate"], { DATABASE_URL: url })
      assert.strictEqual(first.code, 0, first.stdout)
      const opened = jsonLines(first.stdout).find((r) => r.message === "opening the ledger")!
      assert.strictEqual(opened.schema, schema)
      // Every migration of the ledger, 0001 to 0006.
      assert.strictEqual(jsonLines(first.stdout).at(-1)!.ran, 6)
      const again = await run(["migrate"], { DATABASE_URL: url })
      assert.strictEqual(again.code, 0, again.stdout)
      assert.strictEqual(jsonLines(again.stdout).at(-1)!.ran, 0)
    } finally {
      await dropSchema(schema)
    }
  }, 30_000)

  it("seed-demo keeps its stdout for the curl lines: its JSON logs go to stderr", async () => {
    const result = await run(["seed-demo"], { DATA_DIR: join(dir, "seed-logs"), DATABASE_URL: "", LOG_LEVEL: "info" })
    assert.strictEqual(result.code, 0, result.stderr)
    assert.strictEqual(result.stdout.trim().split("\n").length, 2)
    const logs = result.stderr
      .trim()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line).message)
    assert.deepStrictEqual(logs, ["starting", "opening the ledger"])
  }, 30_000)
})

interface Demo {
  readonly child: ChildProcess
  readonly output: () => string
  readonly exited: Promise<number | null>
}

const startDemo = (env: Record<string, string>) =>
  new Promise<Demo>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "demo"], {
      env: { ...process.env, ADMIN_TOKEN: "", DATABASE_URL: "", ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    children.add(child)
    let output = ""
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)))
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (/^Also: /m.test(output)) resolve({ child, output: () => output, exited })
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", onData)
    exited.then((code) => reject(new Error(`demo exited with ${code}: ${output}`)))
  })

describe("account-overview-server demo (what pnpm start runs)", () => {
  it("serves the demo with an admin token kept in DATA_DIR (0600) and printed once; /docs and /v1 work; SIGINT exits 0", async () => {
    const data = join(dir, "demo-token")
    const port = await freePort()
    const env = { DATA_DIR: data, PORT: String(port), LOG_LEVEL: "info" }
    const demo = await startDemo(env)
    let token = ""
    try {
      const file = join(data, "admin-token")
      token = readFileSync(file, "utf8").trim()
      assert.strictEqual(statSync(file).mode & 0o777, 0o600)
      const output = demo.output()
      assert.strictEqual(output.split(token).length - 1, 2, "the token line and its curl line")
      const curls = output.split("\n").filter((line) => line.startsWith("curl "))
      assert.strictEqual(curls.length, 3)
      assert.isTrue(curls.every((line) => line.includes(`127.0.0.1:${port}`)))
      const v1 = await new Promise<string>((resolve, reject) =>
        execFile("sh", ["-c", curls[2]!], (error, stdout) => (error === null ? resolve(stdout) : reject(error)))
      )
      assert.deepStrictEqual(
        JSON.parse(v1).items.map((c: { user: string }) => c.user),
        ["month-end@demo.example", "over@demo.example", "umlaut@demo.example", "under@demo.example"]
      )
      const docs = await fetch(`http://127.0.0.1:${port}/docs`)
      assert.strictEqual(docs.status, 200)
      await docs.arrayBuffer()
      const logs = jsonLines(
        output
          .split("\n")
          .filter((line) => line.startsWith("{"))
          .join("\n")
      )
      assert.deepStrictEqual(
        logs.map((r) => r.message),
        ["starting", "opening the ledger", "demo seeded", "listening"]
      )
    } finally {
      demo.child.kill("SIGINT")
    }
    assert.strictEqual(await demo.exited, 0)

    const again = await startDemo(env)
    try {
      assert.include(again.output(), `ADMIN_TOKEN=${token}`)
      assert.include(again.output(), '"newEvents":0')
    } finally {
      again.child.kill("SIGTERM")
    }
    assert.strictEqual(await again.exited, 0)
  }, 60_000)

  it("takes ADMIN_TOKEN from the environment when it is set, and does not print it", async () => {
    const port = await freePort()
    const demo = await startDemo({
      DATA_DIR: join(dir, "demo-env"),
      PORT: String(port),
      ADMIN_TOKEN: "env-token-0123456789"
    })
    try {
      assert.notInclude(demo.output(), "env-token-0123456789")
      assert.include(demo.output(), "$ADMIN_TOKEN")
      assert.isFalse(existsSync(join(dir, "demo-env", "admin-token")))
      const answer = await fetch(`http://127.0.0.1:${port}/v1/packages`, {
        headers: { authorization: "Bearer env-token-0123456789" }
      })
      assert.strictEqual(answer.status, 200)
      await answer.arrayBuffer()
    } finally {
      demo.child.kill("SIGINT")
    }
    assert.strictEqual(await demo.exited, 0)
  }, 60_000)
})
