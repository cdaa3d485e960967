import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { existsSync, readdirSync, statSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"

const appDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..")
const bin = join(appDir, "dist", "bin.js")

const newestMtime = (dir: string): number => {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

/**
 * Builds the app when `dist/bin.js` is missing or older than a source file,
 * so that the spawned server is the code under test (turbo builds it first;
 * a bare `vitest run` may not have).
 */
export const ensureBuilt = (): void => {
  if (existsSync(bin) && statSync(bin).mtimeMs >= newestMtime(join(appDir, "src"))) return
  const tsc = createRequire(join(appDir, "package.json")).resolve("typescript/bin/tsc")
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: appDir, stdio: "inherit" })
}

/** A server process started from the app's built bin. */
export interface Instance {
  readonly url: string
  readonly pid: number
  readonly child: ChildProcess
  readonly output: () => string
  /** Sends `signal` and waits for the process to end. */
  readonly kill: (signal?: NodeJS.Signals) => Promise<void>
}

/**
 * Spawns `account-overview-server serve` on a free port of 127.0.0.1 with
 * `env` added, and waits for its "listening" log line.
 */
export const spawnServer = (env: Record<string, string>, timeoutMs = 30_000): Promise<Instance> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "serve"], {
      cwd: appDir,
      env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    let settled = false
    const exited = new Promise<void>((done) => child.once("exit", () => done()))
    const kill = async (signal: NodeJS.Signals = "SIGKILL") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      await exited
    }
    const timer = setTimeout(() => {
      if (settled) return
      settled = true
      child.kill("SIGKILL")
      reject(new Error(`the server did not listen within ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8")
      if (settled) return
      const match = /"message":"listening".*?"url":"(http:\/\/[^"]+)"/.exec(output)
      if (match !== null) {
        settled = true
        clearTimeout(timer)
        resolve({ url: match[1]!, pid: child.pid!, child, output: () => output, kill })
      }
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", onData)
    child.once("exit", (code, signal) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      reject(new Error(`the server exited (${code ?? signal}) before listening:\n${output}`))
    })
  })

/** A server process for the length of the scope, killed when it closes. */
export const server = (env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.promise(() => spawnServer(env)),
    (instance) => Effect.promise(() => instance.kill("SIGKILL"))
  )

/** Polls `check` every 100 ms until it holds or `timeoutMs` passes. */
export const eventually = async (what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`)
}
