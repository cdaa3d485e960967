#!/usr/bin/env node
// A fresh machine of the kind these run on: its own old Node.js (20) first and alone on the
// PATH, npm, nothing else. `.ci/run` runs it before `verify` (after `pnpm build`):
//
// - every bin of the apps, run as a user runs it, says in one line on stderr which Node.js it
//   needs and how to get it, prints nothing on stdout, and exits 1;
// - the README's "Run it" command, in a fresh clone of the committed tree (HEAD), with a fresh
//   npm cache, run as a terminal runs it (no shell of its own between): it says what it builds
//   while it builds, prints curl lines, the first one answers 200 with a JSON overview, the
//   operator API's one (with the admin token it printed) 200 with the demo's customers, and
//   Ctrl-C (SIGINT to its process group, as a terminal sends it) ends it and the service with
//   exit 0 and no `ELIFECYCLE`;
// - the CLI's advice (`npx -y -p node@24 -p <the package> account-overview`) with its tarball.
//
// The README's "Test it" command is what `.ci/run` itself runs on such a machine. Without a
// Node.js older than 22.19 on this machine there is nothing to check: it says so and exits 0.
// One line per check, then `fresh-machine checks: N passed, N failed`.
import { spawnSync } from "node:child_process"
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs"
import { connect } from "node:net"
import { tmpdir } from "node:os"
import { delimiter, dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { freePort, run, startGroup, tail } from "./lib/process.mjs"
import { readmeCommand } from "./readme-command.mjs"

const root = fileURLToPath(new URL("..", import.meta.url))
const needed = [22, 19]

const executable = (path) => {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}
const versionOf = (node) => {
  const result = spawnSync(node, ["-p", "process.versions.node"], { encoding: "utf8" })
  return result.status === 0 ? result.stdout.trim() : undefined
}
const isOld = (version) => {
  const [major, minor] = version.split(".").map(Number)
  return major < needed[0] || (major === needed[0] && minor < needed[1])
}

// Every `node` on the PATH (as `which -a node` lists them) and the usual system places.
const pathDirs = (process.env.PATH ?? "").split(delimiter).filter(Boolean)
const nodes = new Map()
for (const dir of [...pathDirs, "/usr/bin", "/usr/local/bin"]) {
  const candidate = join(dir, "node")
  if (!executable(candidate)) continue
  const real = realpathSync(candidate)
  if (!nodes.has(real)) nodes.set(real, { path: candidate, version: versionOf(candidate) })
}
const old = [...nodes.values()].find((node) => node.version !== undefined && isOld(node.version))
if (old === undefined) {
  console.log(
    `SKIPPED fresh-machine checks: no Node.js older than ${needed.join(".")} on this machine ` +
      `(found: ${[...nodes.values()].map((n) => `${n.path} ${n.version}`).join(", ") || "none"})`
  )
  process.exit(0)
}

// The PATH of that machine: the old Node's folder first, then every folder that holds no
// other Node.js (and so no pnpm or npx installed beside a newer one).
const hasOtherNode = (dir) => {
  const candidate = join(dir, "node")
  return executable(candidate) && !isOld(versionOf(candidate) ?? "0.0")
}
const oldPath = [dirname(old.path), ...pathDirs.filter((dir) => dir !== dirname(old.path) && !hasOtherNode(dir))].join(
  delimiter
)
// What the parent's npm, pnpm, CI and database settings would otherwise leak in.
const freshEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) =>
      !/^(npm_|pnpm_|PNPM_|NODE_OPTIONS$|NODE_PATH$|DATABASE_URL$|DATA_DIR$|PG_URL$|ADMIN_TOKEN$|PORT$|HOST$|TURBO_)/.test(
        key
      )
  )
)
freshEnv.PATH = oldPath

const results = []
const check = async (name, body) => {
  try {
    const detail = await body()
    results.push(true)
    console.log(`ok   ${name}${detail ? `: ${detail}` : ""}`)
  } catch (error) {
    results.push(false)
    console.log(`FAIL ${name}: ${error instanceof Error ? error.message : String(error)}`)
  }
}
const assert = (condition, message) => {
  if (!condition) throw new Error(message)
}

console.log(`the machine's Node.js: ${old.path} v${old.version}; its PATH here: ${oldPath}`)
await check("the old Node.js is the only one on that PATH", async () => {
  const result = await run("node", ["--version"], { env: freshEnv })
  assert(result.stdout.trim() === `v${old.version}`, `node --version printed ${result.stdout.trim()}`)
  const npx = await run("npx", ["--version"], { env: freshEnv })
  assert(npx.code === 0, "no npx on that PATH")
  return `node v${old.version}, npx ${npx.stdout.trim()}`
})

// --- every bin, on the old Node -------------------------------------------------------------

for (const app of ["apps/http", "apps/cli"]) {
  const manifest = JSON.parse(readFileSync(join(root, app, "package.json"), "utf8"))
  for (const [name, file] of Object.entries(manifest.bin ?? {})) {
    for (const args of [[], ["--help"]]) {
      await check(`${[name, ...args].join(" ")} on Node ${old.version}: one line, exit 1`, async () => {
        const result = await run(join(root, app, file), args, { env: freshEnv, timeoutMs: 30_000 })
        const lines = result.stderr.trimEnd().split("\n")
        assert(result.code === 1, `exit ${result.code ?? result.signal}\n${tail(result.stderr)}`)
        assert(result.stdout === "", `stdout: ${tail(result.stdout)}`)
        assert(lines.length === 1, `stderr has ${lines.length} lines:\n${tail(result.stderr)}`)
        assert(
          lines[0].includes("needs Node.js >= 22.19") &&
            lines[0].includes(`v${old.version}`) &&
            lines[0].includes("npx -y -p node@24"),
          `stderr: ${lines[0]}`
        )
        return lines[0]
      })
    }
  }
}

// --- the README's "Run it" command in a fresh clone -----------------------------------------

const work = mkdtempSync(join(tmpdir(), "ao-fresh-machine-"))
const clone = join(work, "clone")
const command = readmeCommand("run")
await check(`the README's "Run it" command in a fresh clone, on Node ${old.version}: ${command}`, async () => {
  const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: root, encoding: "utf8" }).stdout.trim()
  const cloned = await run("git", ["clone", "--quiet", "--no-checkout", root, clone], { timeoutMs: 120_000 })
  assert(cloned.code === 0, `git clone: ${tail(cloned.stderr)}`)
  const checkout = await run("git", ["checkout", "--quiet", head], { cwd: clone })
  assert(checkout.code === 0, `git checkout: ${tail(checkout.stderr)}`)
  assert(!existsSync(join(clone, "node_modules")), "the clone is not fresh")

  const port = await freePort()
  const env = { ...freshEnv, PORT: String(port), npm_config_cache: join(work, "npm-cache") }
  const started = Date.now()
  // `exec`: the command is the group's leader, as when a terminal's shell runs it.
  const demo = startGroup("sh", ["-c", `exec ${command}`], { cwd: clone, env })
  try {
    // Fetching Node 24 and pnpm, installing, building, seeding: minutes on a busy machine.
    const firstCurl = await demo
      .waitFor((line) => line.startsWith("curl "), 900_000)
      .catch((error) => {
        throw new Error(`${error.message}; it printed:\n${tail(demo.output(), 25)}`)
      })
    const upAfter = Math.round((Date.now() - started) / 1000)
    // The line as printed; curl's -w appends the status and content type after the body.
    const call = await run("sh", ["-c", `${firstCurl} -w '\\n%{http_code} %{content_type}'`], {
      env: freshEnv,
      timeoutMs: 30_000
    })
    const lines = call.stdout.split("\n")
    const [status, contentType] = (lines.pop() ?? "").split(" ")
    const body = lines.join("\n")
    assert(call.code === 0 && status === "200", `${firstCurl}\nanswered ${status}: ${body}`)
    assert(/^application\/json/.test(contentType ?? ""), `content type ${contentType}`)
    const overview = JSON.parse(body)
    for (const field of ["package", "credits_allowed", "credits_used", "credits_remain", "billing_end_date"]) {
      assert(field in overview, `no ${field} in ${body}`)
    }
    // Printed with the first one, so most likely already there: waitFor sees only lines to come.
    const isOperatorCurl = (line) => line.startsWith("curl ") && line.includes("/v1/")
    const operatorCurl =
      demo.output().split("\n").find(isOperatorCurl) ??
      (await demo.waitFor(isOperatorCurl, 30_000).catch((error) => {
        throw new Error(`no curl line for the operator API (${error.message}); it printed:\n${tail(demo.output(), 25)}`)
      }))
    const operator = await run("sh", ["-c", `${operatorCurl} -w '\\n%{http_code}'`], {
      env: freshEnv,
      timeoutMs: 30_000
    })
    const operatorLines = operator.stdout.split("\n")
    const operatorStatus = operatorLines.pop()
    assert(operatorStatus === "200", `${operatorCurl}\nanswered ${operatorStatus}: ${operatorLines.join("\n")}`)
    const customers = JSON.parse(operatorLines.join("\n")).items.length
    assert(customers === 4, `the operator API listed ${customers} demo customers`)
    assert(
      demo.output().includes("building the service (first run: about a minute)…"),
      `no progress line before the build:\n${tail(demo.output(), 25)}`
    )

    demo.kill("SIGINT")
    const exit = await Promise.race([
      demo.exited,
      new Promise((resolve) => setTimeout(() => resolve(undefined), 60_000).unref())
    ])
    assert(exit !== undefined, `still running 60 s after SIGINT:\n${tail(demo.output())}`)
    assert(!(await listening(port)), `port ${port} still answers after the demo ended`)
    assert(exit.code === 0, `Ctrl-C ended it with ${exit.code ?? exit.signal}, not exit 0:\n${tail(demo.output())}`)
    assert(!demo.output().includes("ELIFECYCLE"), `pnpm reported a failure:\n${tail(demo.output())}`)
    return `up after ${upAfter} s, ${overview.package}: ${overview.credits_used} of ${overview.credits_allowed} credits; the operator API: ${customers} customers; Ctrl-C: exit 0`
  } finally {
    demo.kill("SIGKILL")
  }
})

// The advice the CLI's line gives, with its packed tarball for the package name (the service's
// needs core and store from the registry, so it waits for a release).
await check(
  `the CLI's advice on Node ${old.version}: npx -y -p node@24 -p <its tarball> account-overview --version`,
  async () => {
    const cli = JSON.parse(readFileSync(join(root, "apps/cli/package.json"), "utf8"))
    const packed = await run("pnpm", ["pack", "--pack-destination", work], { cwd: join(root, "apps/cli") })
    assert(packed.code === 0, `pnpm pack: ${tail(packed.stderr)}`)
    const tarball = join(work, `account-overview-cli-${cli.version}.tgz`)
    const result = await run("sh", ["-c", `npx -y -p node@24 -p '${tarball}' account-overview --version`], {
      cwd: work,
      env: { ...freshEnv, npm_config_cache: join(work, "npm-cache") },
      timeoutMs: 300_000
    })
    assert(
      result.code === 0 && result.stdout.trim() === `account-overview ${cli.version}`,
      `exit ${result.code}: ${tail(result.stdout + result.stderr)}`
    )
    return result.stdout.trim()
  }
)
rmSync(work, { recursive: true, force: true })

const passed = results.filter(Boolean).length
const failed = results.length - passed
console.log(`fresh-machine checks: ${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)

function listening(port) {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1")
    socket.on("connect", () => {
      socket.destroy()
      resolve(true)
    })
    socket.on("error", () => resolve(false))
  })
}
