import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"

/**
 * Runs the built `account-overview` as a real process and the built
 * microservice beside it, on an ephemeral port with a fresh SQLite file.
 */

const here = dirname(fileURLToPath(import.meta.url))
export const bin = join(here, "..", "..", "dist", "account-overview.mjs")
const serverBin = join(
  dirname(createRequire(import.meta.url).resolve("@account-overview/http/package.json")),
  "dist",
  "bin.js"
)

/** Every secret a test used: no output of any run may show one. */
const secrets = new Set<string>()

/** Registers a secret that `cli` checks no output shows. */
export const secret = <S extends string>(value: S): S => {
  secrets.add(value)
  return value
}

export interface RunResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  readonly env?: Record<string, string | undefined>
  readonly stdin?: string | Uint8Array
  /** Sends SIGINT once this effect completes (it runs beside the process). */
  readonly interruptWhen?: Effect.Effect<void>
  readonly timeoutMs?: number
}

/** An empty config folder: no run reads the machine's own config file. */
export const emptyConfigHome = mkdtempSync(join(tmpdir(), "ao-cli-config-"))

const baseEnv = (): Record<string, string | undefined> => {
  const env: Record<string, string | undefined> = { ...process.env }
  for (const name of Object.keys(env)) {
    if (name.startsWith("ACCOUNT_OVERVIEW_") || name === "FORCE_COLOR" || name === "NO_COLOR") delete env[name]
  }
  env.XDG_CONFIG_HOME = emptyConfigHome
  return env
}

/** Runs `account-overview args...`, stdio piped, and checks that no registered secret was printed. */
export const cli: (args: ReadonlyArray<string>, options?: RunOptions) => Effect.Effect<RunResult> = Effect.fnUntraced(
  function* (args: ReadonlyArray<string>, options: RunOptions = {}) {
    const child: ChildProcess = spawn(process.execPath, [bin, ...args], {
      env: { ...baseEnv(), ...options.env },
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout?.setEncoding("latin1").on("data", (chunk: string) => {
      stdout += chunk
    })
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    child.stdin?.on("error", () => {})
    if (options.stdin !== undefined) child.stdin?.end(options.stdin)
    else child.stdin?.end()
    const closed = Effect.callback<RunResult>((resume) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000)
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        clearTimeout(timer)
        resume(Effect.succeed({ code, signal, stdout, stderr }))
      }
      if (child.exitCode !== null || child.signalCode !== null) finish(child.exitCode, child.signalCode)
      else child.once("close", finish)
      return Effect.sync(() => child.kill("SIGKILL"))
    })
    const interrupter =
      options.interruptWhen === undefined
        ? undefined
        : yield* Effect.forkChild(
            Effect.andThen(
              options.interruptWhen,
              Effect.sync(() => child.kill("SIGINT"))
            )
          )
    const result = yield* closed
    if (interrupter !== undefined) yield* Fiber.interrupt(interrupter)
    for (const value of secrets) {
      assert.notInclude(result.stdout, value, "a secret was printed on stdout")
      assert.notInclude(result.stderr, value, "a secret was printed on stderr")
    }
    return result
  }
)

export interface Server {
  readonly baseUrl: string
  readonly adminToken: string
  /** Calls the operator API directly (seeding, checking totals). */
  readonly operator: (method: string, path: string, body?: unknown) => Effect.Effect<unknown>
  /** The server process's id. */
  readonly pid: number
}

/** The microservice, started for a suite and stopped after it. */
export class TestServer extends Context.Service<TestServer, Server>()("@account-overview/cli/test/TestServer") {
  static readonly layer = Layer.effect(
    TestServer,
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "ao-cli-test-"))
      const adminToken = secret(`admin-${crypto.randomUUID()}`)
      const child = yield* Effect.acquireRelease(
        Effect.sync(() =>
          spawn(process.execPath, [serverBin, "serve"], {
            env: {
              ...baseEnv(),
              PORT: "0",
              HOST: "127.0.0.1",
              DATABASE_URL: `sqlite:${join(dir, "ledger.db")}`,
              ADMIN_TOKEN: adminToken,
              // The webhook tests' receivers listen on loopback.
              WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
              LOG_LEVEL: "info"
            },
            stdio: ["ignore", "pipe", "pipe"]
          })
        ),
        (child) =>
          Effect.callback<void>((resume) => {
            if (child.exitCode !== null || child.signalCode !== null) {
              rmSync(dir, { recursive: true, force: true })
              return resume(Effect.void)
            }
            child.once("close", () => {
              rmSync(dir, { recursive: true, force: true })
              resume(Effect.void)
            })
            child.kill("SIGTERM")
          })
      )
      const baseUrl = yield* Effect.callback<string, Error>((resume) => {
        let out = ""
        let err = ""
        const onData = (chunk: Buffer) => {
          out += chunk.toString("utf8")
          const match = /"message":"listening"[^\n]*"url":"([^"]+)"/.exec(out)
          if (match?.[1] !== undefined) {
            child.stdout?.off("data", onData)
            child.stdout?.resume()
            resume(Effect.succeed(match[1]))
          }
        }
        child.stdout?.on("data", onData)
        child.stderr?.on("data", (chunk: Buffer) => {
          err += chunk.toString("utf8")
        })
        child.once("close", (code) => resume(Effect.fail(new Error(`the server exited ${code}: ${out}${err}`))))
      }).pipe(Effect.timeout("20 seconds"), Effect.orDie)
      const operator = (method: string, path: string, body?: unknown) =>
        Effect.promise(async () => {
          const response = await fetch(`${baseUrl}${path}`, {
            method,
            headers: {
              authorization: `Bearer ${adminToken}`,
              ...(body === undefined ? {} : { "content-type": "application/json" })
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) })
          })
          const text = await response.text()
          if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`)
          return text === "" ? undefined : (JSON.parse(text) as unknown)
        })
      return TestServer.of({ baseUrl, adminToken, operator, pid: child.pid ?? -1 })
    })
  )
}

/** A reseller with a key of the test's choosing, a package, and customers under it. */
export const seed = Effect.fnUntraced(function* (options: {
  readonly reseller: string
  readonly apiKey: string
  readonly packages: ReadonlyArray<{ readonly name: string; readonly credits: number; readonly overagePrice?: number }>
  readonly customers: ReadonlyArray<{
    readonly user: string
    readonly package: string
    readonly billingAnchor: string
    readonly reputation?: number
  }>
}) {
  const server = yield* TestServer
  for (const p of options.packages) {
    yield* server.operator("PUT", `/v1/packages/${encodeURIComponent(p.name)}`, {
      credits: p.credits,
      ...(p.overagePrice === undefined ? {} : { overagePrice: p.overagePrice })
    })
  }
  yield* server.operator("PUT", `/v1/resellers/${encodeURIComponent(options.reseller)}`, { apiKey: options.apiKey })
  for (const c of options.customers) {
    yield* server.operator("PUT", `/v1/customers/${encodeURIComponent(c.user)}`, {
      reseller: options.reseller,
      package: c.package,
      billingAnchor: c.billingAnchor,
      reputation: c.reputation ?? 100
    })
  }
})

/** A local URL where nothing listens: a port bound, then released. */
export const closedUrl = Effect.callback<string>((resume) => {
  const probe = createServer()
  probe.listen(0, "127.0.0.1", () => {
    const address = probe.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    probe.close(() => resume(Effect.succeed(`http://127.0.0.1:${port}`)))
  })
})

/** Today's UTC date, `YYYY-MM-DD`. */
export const todayUtc = (): string => new Date().toISOString().slice(0, 10)

/** `date` plus `days`, `YYYY-MM-DD`. */
export const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
