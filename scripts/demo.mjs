#!/usr/bin/env node
// `pnpm start`: builds the service (and what it depends on), saying what it does while it
// builds, then runs the service's `demo` command in this process: JSON logs, the demo migrated
// and seeded into DATA_DIR (default ./data; idempotent: a second run keeps the data and adds
// nothing), the service started with an admin token kept in DATA_DIR/admin-token (mode 0600,
// made on the first run; ADMIN_TOKEN wins when set), and curl lines that call it. Ctrl-C stops
// it: drained, exit 0 (the `start` script `exec`s this file, so no shell stands between pnpm
// and the exit code). PORT, HOST, DATA_DIR, DATABASE_URL and the other settings apply.
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const commands = new URL("../apps/http/dist/Commands.js", import.meta.url)

const say = (line) => process.stderr.write(`${line}\n`)
const firstRun = !existsSync(fileURLToPath(commands))
say(
  firstRun
    ? "building the service (first run: about a minute)…"
    : "building the service (only what changed since the last run)…"
)
const started = Date.now()
const seconds = () => Math.round((Date.now() - started) / 1000)
const ticker = setInterval(() => say(`… still building (${seconds()} s)`), 15_000)
const status = await new Promise((resolve) => {
  const build = spawn(
    "pnpm",
    ["exec", "turbo", "run", "build", "--filter=@account-overview/http...", "--output-logs=errors-only"],
    { cwd: root, stdio: ["ignore", "inherit", "inherit"], shell: process.platform === "win32" }
  )
  build.on("error", (error) => {
    say(`cannot run pnpm: ${error.message}`)
    resolve(1)
  })
  build.on("close", (code) => resolve(code ?? 1))
})
clearInterval(ticker)
if (status !== 0) {
  say("the build failed: see above (or run `pnpm build` for the whole output)")
  process.exit(1)
}
say(`built in ${seconds()} s; starting the demo (Ctrl-C stops it)…`)

const { runCommand } = await import(commands.href)
runCommand(["demo"])
