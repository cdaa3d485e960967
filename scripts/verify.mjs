#!/usr/bin/env node
// Build, typecheck, lint and test every package, then print one summary line
// over all of them: `N passed, N failed`. Exits non-zero when anything failed.
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"

const root = new URL("..", import.meta.url).pathname
const workspaces = ["packages", "apps", "bench"].flatMap((dir) => {
  const path = join(root, dir)
  if (!existsSync(path)) return []
  if (existsSync(join(path, "package.json"))) return [path]
  return readdirSync(path)
    .map((name) => join(path, name))
    .filter((p) => existsSync(join(p, "package.json")))
})
const reportOf = (dir) => join(dir, ".vitest-report.json")
for (const dir of workspaces) rmSync(reportOf(dir), { force: true })

const run = (label, command, args) => {
  console.log(`\n=== ${label}: ${command} ${args.join(" ")}`)
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, FORCE_COLOR: "0" } })
  return result.status === 0
}

const steps = []
const build = run("build", "pnpm", ["exec", "turbo", "run", "build", "--output-logs=errors-only"])
steps.push(["build", build])
if (build) {
  steps.push([
    "typecheck",
    run("typecheck", "pnpm", ["exec", "turbo", "run", "typecheck", "--output-logs=errors-only"])
  ])
  steps.push(["lint", run("lint", "pnpm", ["exec", "biome", "check", "."])])
  steps.push([
    "test",
    run("test", "pnpm", ["exec", "turbo", "run", "test", "--continue", "--force", "--concurrency=1"])
  ])
}

// Checks `.ci/run` ran before this one (the packed tarballs, a fresh machine) that failed:
// they count as failed steps here, so that this summary stays the last word.
for (const name of (process.env.VERIFY_FAILED_CHECKS ?? "").split(/\s+/).filter(Boolean)) steps.push([name, false])

let passed = 0
let failed = 0
console.log("\n=== summary")
for (const dir of workspaces) {
  const file = reportOf(dir)
  if (!existsSync(file)) continue
  const report = JSON.parse(readFileSync(file, "utf8"))
  const broken = report.testResults.filter((r) => r.status === "failed" && r.assertionResults.length === 0).length
  passed += report.numPassedTests
  failed += report.numFailedTests + broken
  console.log(`${dir.slice(root.length)}: ${report.numPassedTests} passed, ${report.numFailedTests + broken} failed`)
}
for (const [name, ok] of steps) if (!ok && name !== "test") failed += 1
const stepFailures = steps.filter(([, ok]) => !ok).map(([name]) => name)
if (stepFailures.length > 0) console.log(`failed steps: ${stepFailures.join(", ")}`)
if (passed === 0 && failed === 0) {
  console.log("no test ran")
  failed = 1
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 && stepFailures.length === 0 ? 0 : 1)
