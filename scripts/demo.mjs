#!/usr/bin/env node
// `pnpm start`: builds the service (and what it depends on), migrates and seeds the demo into
// ./data/account-overview.db (idempotent: a second run keeps the data and adds nothing), starts
// the service and prints curl lines that call it. Ctrl-C stops it (drained, exit 0).
// PORT, HOST, DATABASE_URL and the other settings of the service apply.
import { spawn, spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const bin = fileURLToPath(new URL("../apps/http/dist/bin.js", import.meta.url))

console.error("building @account-overview/http and its dependencies ...")
const build = spawnSync(
  "pnpm",
  ["exec", "turbo", "run", "build", "--filter=@account-overview/http...", "--output-logs=errors-only"],
  { cwd: root, stdio: ["ignore", "inherit", "inherit"], shell: process.platform === "win32" }
)
if (build.status !== 0) {
  console.error("the build failed: see above")
  process.exit(1)
}

const seeded = spawnSync(process.execPath, [bin, "seed-demo"], {
  cwd: root,
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"]
})
if (seeded.status !== 0) {
  console.error("seeding the demo failed: see above")
  process.exit(1)
}
const curlLines = seeded.stdout.trim()

const server = spawn(process.execPath, [bin, "serve"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] })
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal))
server.on("exit", (code) => process.exit(code ?? 1))

const port = process.env.PORT ?? "3000"
const host = !process.env.HOST || process.env.HOST === "0.0.0.0" ? "127.0.0.1" : process.env.HOST
for (let attempt = 0; attempt < 100; attempt++) {
  const ready = await fetch(`http://${host}:${port}/readyz`).then(
    (response) => response.ok,
    () => false
  )
  if (ready) {
    console.log(`\nThe Account Overview service is up on http://${host}:${port} (Ctrl-C stops it). Try:\n`)
    console.log(curlLines)
    console.log(
      `\nThe XML answer is ISO-8859-1: pipe it through \`iconv -f latin1\` on a UTF-8 terminal.` +
        `\nAlso: http://${host}:${port}/healthz, /readyz, /metrics, /docs (operator API)\n`
    )
    break
  }
  await new Promise((resolve) => setTimeout(resolve, 100))
}
