#!/usr/bin/env node
// The service as it is deployed (run after `pnpm build`; `.ci/run` runs it before `verify`):
//
// - the OpenAPI document of a started service (`/openapi.json`) is clean under Redocly's
//   recommended rules (`@redocly/cli`, pinned at the root): no error and no warning;
// - the Dockerfile keeps its structure: a build stage and a runtime stage that copies from it,
//   the runtime's Node.js major as `.nvmrc` says, a frozen install, an unprivileged USER, the
//   data folder as a VOLUME and as DATA_DIR, HOST=0.0.0.0, the PORT it EXPOSEs, a HEALTHCHECK
//   on /readyz, the server's bin as the entry point, COPY sources that exist;
// - where a container engine answers (`docker info`), the image is built and run: its health
//   check turns healthy and /readyz answers 200. Without one (these machines have the docker
//   client alone) that check says so and is skipped.
//
// One line per check, then `deployment checks: N passed, N failed`; exits 1 when one failed.
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { freePort, run, start, tail } from "./lib/process.mjs"

const root = fileURLToPath(new URL("..", import.meta.url))
const work = mkdtempSync(join(tmpdir(), "ao-deployment-checks-"))
const bin = join(root, "apps/http/bin/account-overview-server.mjs")
const redocly = join(root, "node_modules/.bin/redocly")

const results = []
const check = async (name, body) => {
  try {
    const detail = await body()
    if (detail?.skipped) {
      console.log(`SKIPPED ${name}: ${detail.skipped}`)
      return
    }
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

// Settings a parent shell may hold that would change what the service does here.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^(DATABASE_URL|DATA_DIR|ADMIN_TOKEN|PORT|HOST|LOG_LEVEL)$/.test(key))
)

// --- the OpenAPI document under Redocly's recommended rules ---------------------------------

await check("the OpenAPI document of a started service, under Redocly's recommended rules", async () => {
  const port = await freePort()
  const service = start(process.execPath, [bin, "serve"], {
    env: { ...env, DATA_DIR: join(work, "data"), PORT: String(port), LOG_LEVEL: "warn" }
  })
  let document
  try {
    for (let attempt = 0; attempt < 150 && document === undefined; attempt++) {
      document = await fetch(`http://127.0.0.1:${port}/openapi.json`).then(
        (response) => (response.ok ? response.text() : undefined),
        () => new Promise((resolve) => setTimeout(() => resolve(undefined), 200))
      )
    }
  } finally {
    service.kill("SIGTERM")
    await service.exited
  }
  assert(document !== undefined, `the service did not answer /openapi.json:\n${tail(service.output())}`)
  const file = join(work, "openapi.json")
  writeFileSync(file, document)
  const spec = JSON.parse(document)
  const version = JSON.parse(readFileSync(join(root, "apps/http/package.json"), "utf8")).version
  assert(spec.info.version === version, `info.version is ${spec.info.version}, the package's ${version}`)
  const linted = await run(redocly, ["lint", "--extends", "recommended", "--format", "json", file], {
    env: { ...env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    timeoutMs: 120_000
  })
  let report
  try {
    report = JSON.parse(linted.stdout)
  } catch {
    throw new Error(`redocly printed no report (exit ${linted.code}):\n${tail(linted.stdout + linted.stderr)}`)
  }
  const problems = report.problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} (${p.location?.[0]?.pointer})`)
  assert(
    report.totals.errors === 0 && report.totals.warnings === 0,
    `${report.totals.errors} errors, ${report.totals.warnings} warnings:\n${problems.join("\n")}`
  )
  return `redocly ${report.version}: 0 errors, 0 warnings (version ${spec.info.version}, ${Object.keys(spec.paths).length} paths)`
})

// --- the Dockerfile's structure -------------------------------------------------------------

/** The Dockerfile's instructions: `{ line, keyword, args }`, continuation lines joined. */
const instructionsOf = (text) => {
  const instructions = []
  let pending = ""
  let startLine = 0
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim()
    if (pending === "" && (line === "" || line.startsWith("#"))) return
    if (pending !== "" && line.startsWith("#")) return
    if (pending === "") startLine = index + 1
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `
      return
    }
    const whole = pending + line
    pending = ""
    const [keyword, ...rest] = whole.split(/\s+/)
    instructions.push({ line: startLine, keyword: keyword.toUpperCase(), args: rest.join(" ") })
  })
  return instructions
}

/** `KEY=value` pairs of an ENV instruction (quotes taken off). */
const envPairs = (args) =>
  Object.fromEntries(
    [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)].map(([, key, value]) => [
      key,
      value.replace(/^"|"$/g, "")
    ])
  )

await check("the Dockerfile: two stages, unprivileged, a data volume, a health check on /readyz", async () => {
  const dockerfile = join(root, "Dockerfile")
  assert(existsSync(dockerfile), "no Dockerfile at the repository's root")
  const instructions = instructionsOf(readFileSync(dockerfile, "utf8"))
  const args = Object.fromEntries(
    instructions.filter((i) => i.keyword === "ARG").map((i) => i.args.split("=").map((s) => s.trim()))
  )
  const stages = []
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args)
      assert(match !== null, `line ${instruction.line}: FROM ${instruction.args}`)
      stages.push({ image: match[1], name: match[2], instructions: [] })
    } else if (stages.length > 0) stages.at(-1).instructions.push(instruction)
  }
  assert(stages.length >= 2, `${stages.length} stage(s): a build stage and a runtime stage are expected`)
  assert(
    stages.every((s) => s.name !== undefined),
    "every stage is named (FROM … AS name)"
  )
  const [build, runtime] = [stages[0], stages.at(-1)]
  const nodeMajor = readFileSync(join(root, ".nvmrc"), "utf8").trim().split(".")[0]
  const image = runtime.image.replace(/\$\{(\w+)\}/g, (_, name) => args[name] ?? "")
  assert(image.startsWith(`node:${nodeMajor}`), `the runtime image ${image} is not Node.js ${nodeMajor} (.nvmrc)`)
  const all = (stage, keyword) => stage.instructions.filter((i) => i.keyword === keyword)
  const runs = all(build, "RUN").map((i) => i.args)
  assert(
    runs.some((r) => /pnpm install --frozen-lockfile/.test(r)),
    "the build stage installs with --frozen-lockfile"
  )
  assert(
    runs.some((r) => /pnpm .*deploy --prod/.test(r)),
    "the build stage deploys the service with its production dependencies"
  )
  assert(
    all(runtime, "COPY").some((i) => i.args.includes(`--from=${build.name}`)),
    `the runtime stage copies from ${build.name}`
  )
  assert(
    !all(runtime, "RUN").some((i) => /pnpm install|npm install/.test(i.args)),
    "the runtime stage installs nothing"
  )
  const user = all(runtime, "USER").at(-1)?.args
  assert(user !== undefined && !/^(root|0)(:|$)/.test(user), `the runtime's USER is ${user ?? "unset (root)"}`)
  const runtimeEnv = Object.assign({}, ...all(runtime, "ENV").map((i) => envPairs(i.args)))
  assert(runtimeEnv.HOST === "0.0.0.0", `HOST is ${runtimeEnv.HOST}, not 0.0.0.0`)
  const volumes = all(runtime, "VOLUME").flatMap((i) =>
    i.args.startsWith("[") ? JSON.parse(i.args) : i.args.split(/\s+/)
  )
  assert(runtimeEnv.DATA_DIR !== undefined, "DATA_DIR is not set")
  assert(volumes.includes(runtimeEnv.DATA_DIR), `DATA_DIR ${runtimeEnv.DATA_DIR} is not a VOLUME (${volumes})`)
  const exposed = all(runtime, "EXPOSE").map((i) => i.args.split("/")[0])
  assert(exposed.includes(runtimeEnv.PORT ?? "3000"), `PORT ${runtimeEnv.PORT} is not EXPOSEd (${exposed})`)
  const health = all(runtime, "HEALTHCHECK").at(-1)?.args ?? ""
  assert(/\bCMD\b/.test(health) && health.includes("/readyz"), `HEALTHCHECK ${health || "missing"}`)
  const entry = [...all(runtime, "ENTRYPOINT"), ...all(runtime, "CMD")].map((i) => i.args).join(" ")
  const manifest = JSON.parse(readFileSync(join(root, "apps/http/package.json"), "utf8"))
  const binFile = Object.values(manifest.bin)[0]
  assert(entry.includes(binFile), `the entry point (${entry}) does not run ${binFile}`)
  for (const copy of all(build, "COPY")) {
    const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith("--"))
    for (const source of parts.slice(0, -1)) {
      assert(source === "." || existsSync(join(root, source)), `line ${copy.line}: COPY ${source}: no such file`)
    }
  }
  assert(existsSync(join(root, ".dockerignore")), "no .dockerignore")
  const ignored = readFileSync(join(root, ".dockerignore"), "utf8")
  assert(/node_modules/.test(ignored), ".dockerignore leaves node_modules in the build context")
  return `stages ${stages.map((s) => s.name).join(" → ")}, ${image}, USER ${user}, VOLUME ${volumes.join(" ")}, HEALTHCHECK on /readyz`
})

// --- the image, built and run, where a container engine answers ----------------------------

await check("the image, built and run: healthy, /readyz 200", async () => {
  const info = spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], { encoding: "utf8", timeout: 20_000 })
  if (info.error !== undefined || info.status !== 0) {
    const why = info.error?.code === "ENOENT" ? "no docker command" : tail(info.stderr || info.stdout || "", 1)
    return { skipped: `no container engine answers on this machine (docker info: ${why.trim()})` }
  }
  const tag = `account-overview-check:${process.pid}`
  const built = await run("docker", ["build", "--tag", tag, root], { timeoutMs: 1_200_000 })
  assert(built.code === 0, `docker build: ${tail(built.stdout + built.stderr)}`)
  const port = await freePort()
  const name = `ao-check-${process.pid}`
  try {
    const started = await run("docker", ["run", "--detach", "--name", name, "--publish", `127.0.0.1:${port}:3000`, tag])
    assert(started.code === 0, `docker run: ${tail(started.stderr)}`)
    let health = ""
    for (let attempt = 0; attempt < 60 && health !== "healthy"; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      health = (await run("docker", ["inspect", "--format", "{{.State.Health.Status}}", name])).stdout.trim()
    }
    assert(health === "healthy", `health ${health}: ${tail((await run("docker", ["logs", name])).stdout)}`)
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`)
    assert(ready.status === 200, `/readyz answered ${ready.status}`)
    const stopped = await run("docker", ["stop", "--time", "20", name])
    assert(stopped.code === 0, `docker stop: ${tail(stopped.stderr)}`)
    const exit = (await run("docker", ["inspect", "--format", "{{.State.ExitCode}}", name])).stdout.trim()
    assert(exit === "0", `the container exited ${exit} on SIGTERM`)
    return `healthy, /readyz 200, exit 0 on SIGTERM (engine ${info.stdout.trim()})`
  } finally {
    await run("docker", ["rm", "--force", name]).catch(() => undefined)
    await run("docker", ["rmi", "--force", tag]).catch(() => undefined)
  }
})

rmSync(work, { recursive: true, force: true })
const passed = results.filter(Boolean).length
const failed = results.length - passed
console.log(`deployment checks: ${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
