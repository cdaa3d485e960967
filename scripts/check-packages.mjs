#!/usr/bin/env node
// The published packages as their users get them, from tarballs packed like a release (run
// after `pnpm build`; `.ci/run` runs it before `verify`):
//
// - `publint --strict` on every tarball, `attw --profile esm-only` on every one with types;
// - the CLI's size budget (decision 0055) and its install alone with npm: `--help`, `--version`;
// - a consumer project on another Effect 4 version than the workspace's (the lowest of the
//   peer range, decision 0004) that installs core, store and sdk from their tarballs: one copy
//   of `effect`, no peer problem, the SDK README's Effect example type-checked and run against
//   the workspace's built service;
// - the CHANGELOGs `changeset version` would write, in a throwaway clone of HEAD.
//
// One line per check, then `package checks: N passed, N failed`; exits 1 when one failed.
// Every npm call uses a fresh cache in a temporary folder, removed at the end.
import { randomBytes } from "node:crypto"
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { gunzipSync } from "node:zlib"
import { freePort, run, start, tail } from "./lib/process.mjs"

const root = fileURLToPath(new URL("..", import.meta.url))
const work = mkdtempSync(join(tmpdir(), "ao-package-checks-"))
const npmCache = join(work, "npm-cache")
const tarballs = join(work, "tarballs")

/** The CLI's budget (decision 0055), in bytes: the .tgz, and the sum of the files in it. */
const cliBudget = { packed: 600_000, unpacked: 2_500_000 }
/** The Effect version the consumer project runs: the lowest of the peer range (decision 0004). */
const consumerEffect = "4.0.5"

const packages = [
  { dir: "packages/core", types: true },
  { dir: "packages/store", types: true },
  { dir: "packages/sdk", types: true },
  { dir: "apps/http", types: true },
  { dir: "apps/cli", types: false }
].map((p) => ({ ...p, manifest: JSON.parse(readFileSync(join(root, p.dir, "package.json"), "utf8")) }))
const byName = (name) => packages.find((p) => p.manifest.name === `@account-overview/${name}`)

// npm settings inherited from a parent npm or pnpm run are dropped: the checks set their own.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_/i.test(key)))
Object.assign(env, { npm_config_cache: npmCache, npm_config_audit: "false", npm_config_fund: "false" })

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
const ok = (result, what) => {
  assert(result.code === 0, `${what} exited ${result.code ?? result.signal}\n${tail(result.stdout + result.stderr)}`)
  return result
}

/** The files of a .tgz: `[path, size]` from its tar headers. */
const tarEntries = (file) => {
  const tar = gunzipSync(readFileSync(file))
  const entries = []
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512)
    if (header.every((byte) => byte === 0)) break
    const name = header.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "")
    const size = Number.parseInt(header.subarray(124, 136).toString("utf8").replace(/\0.*$/s, "").trim() || "0", 8)
    const type = String.fromCharCode(header[156] || 48)
    if (type === "0") entries.push([name, size])
    offset += 512 + Math.ceil(size / 512) * 512
  }
  return entries
}

const kB = (bytes) => `${(bytes / 1000).toFixed(0)} kB`

// --- pack ------------------------------------------------------------------------------------

console.log(`packing ${packages.map((p) => p.manifest.name).join(", ")}`)
mkdirSync(tarballs, { recursive: true })
for (const p of packages) {
  await check(`pack ${p.manifest.name}`, async () => {
    ok(await run("pnpm", ["pack", "--pack-destination", tarballs], { cwd: join(root, p.dir), env }), "pnpm pack")
    const file = join(tarballs, `${p.manifest.name.slice(1).replace("/", "-")}-${p.manifest.version}.tgz`)
    assert(existsSync(file), `no ${file} after pnpm pack`)
    p.tarball = file
    const entries = tarEntries(file)
    const names = entries.map(([name]) => name)
    for (const needed of ["package/package.json", "package/README.md", "package/LICENSE"]) {
      assert(names.includes(needed), `${needed} is not in the tarball`)
    }
    const packed = JSON.parse(readFileSync(join(root, p.dir, "package.json"), "utf8"))
    for (const bin of Object.values(packed.bin ?? {})) {
      assert(names.includes(`package/${bin.replace(/^\.\//, "")}`), `its bin ${bin} is not in the tarball`)
    }
    p.unpacked = entries.reduce((sum, [, size]) => sum + size, 0)
    p.packed = readFileSync(file).length
    return `${kB(p.packed)} packed, ${kB(p.unpacked)} unpacked, ${entries.length} files`
  })
}
const packedAll = packages.every((p) => p.tarball)

// --- publint, attw ---------------------------------------------------------------------------

if (packedAll) {
  for (const p of packages) {
    await check(`publint --strict ${p.manifest.name}`, async () => {
      const result = ok(await run("pnpm", ["exec", "publint", "--strict", p.tarball], { cwd: root, env }), "publint")
      assert(/All good!/.test(result.stdout), `publint found something:\n${tail(result.stdout)}`)
    })
  }
  for (const p of packages.filter((p) => p.types)) {
    await check(`attw --profile esm-only ${p.manifest.name}`, async () => {
      const result = await run(
        "pnpm",
        ["exec", "attw", p.tarball, "--profile", "esm-only", "--format", "ascii", "--no-color", "--no-emoji"],
        { cwd: root, env }
      )
      ok(result, "attw")
    })
  }
}

// --- the CLI: budget, install alone ----------------------------------------------------------

const cli = byName("cli")
if (cli.tarball) {
  await check(
    `@account-overview/cli within its budget (packed <= ${kB(cliBudget.packed)}, unpacked <= ${kB(cliBudget.unpacked)})`,
    async () => {
      assert(cli.packed <= cliBudget.packed, `packed ${cli.packed} bytes`)
      assert(cli.unpacked <= cliBudget.unpacked, `unpacked ${cli.unpacked} bytes`)
      return `${cli.packed} and ${cli.unpacked} bytes`
    }
  )
  await check("@account-overview/cli installs alone from its tarball and runs", async () => {
    const dir = join(work, "cli-alone")
    mkdirSync(dir)
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "cli-alone", private: true }))
    ok(await run("npm", ["install", cli.tarball], { cwd: dir, env, timeoutMs: 300_000 }), "npm install")
    const installed = readdirSync(join(dir, "node_modules")).filter((name) => !name.startsWith("."))
    const scoped = readdirSync(join(dir, "node_modules", "@account-overview"))
    assert(
      installed.length === 1 && installed[0] === "@account-overview" && scoped.join() === "cli",
      `it brought more than itself: ${installed.join(", ")}`
    )
    const path = `${join(dir, "node_modules", ".bin")}:${process.env.PATH}`
    const help = ok(await run("account-overview", ["--help"], { cwd: dir, env: { ...env, PATH: path } }), "--help")
    assert(/USAGE/.test(help.stdout) && /account-overview/.test(help.stdout), `--help printed:\n${tail(help.stdout)}`)
    const version = ok(
      await run("account-overview", ["--version"], { cwd: dir, env: { ...env, PATH: path } }),
      "--version"
    )
    assert(
      version.stdout.trim() === `account-overview ${cli.manifest.version}`,
      `--version printed ${JSON.stringify(version.stdout)}`
    )
    return `no dependency installed; --version: ${version.stdout.trim()}`
  })
}

// --- a consumer on another Effect version ----------------------------------------------------

const libraries = ["core", "store", "sdk"].map(byName)
if (libraries.every((p) => p.tarball)) {
  const dir = join(work, "consumer")
  const workspaceEffect = JSON.parse(readFileSync(join(root, "packages/core/package.json"), "utf8")).devDependencies
    .effect
  const sqlPg = JSON.parse(readFileSync(join(root, "packages/store/package.json"), "utf8")).devDependencies[
    "@effect/sql-pg"
  ]
  let installed = false
  await check(
    `a consumer on effect ${consumerEffect} (the workspace's: ${workspaceEffect}) installs the tarballs`,
    async () => {
      assert(consumerEffect !== workspaceEffect, "the consumer must run another Effect version than the workspace")
      for (const p of libraries) {
        const range = p.manifest.peerDependencies?.effect
        assert(range !== undefined, `${p.manifest.name} has no peer dependency on effect`)
        assert(
          !(p.manifest.dependencies && "effect" in p.manifest.dependencies),
          `${p.manifest.name} depends on effect directly`
        )
      }
      mkdirSync(dir)
      const dependencies = {
        effect: consumerEffect,
        "@effect/sql-pg": sqlPg,
        ...Object.fromEntries(libraries.map((p) => [p.manifest.name, `file:${p.tarball}`]))
      }
      writeFileSync(
        join(dir, "package.json"),
        JSON.stringify({ name: "consumer", private: true, type: "module", dependencies }, null, 2)
      )
      ok(await run("npm", ["install"], { cwd: dir, env, timeoutMs: 600_000 }), "npm install")
      installed = true
    }
  )
  if (installed) {
    await check("the consumer has exactly one copy of effect and no peer problem", async () => {
      const copies = []
      const walk = (modules) => {
        if (!existsSync(modules)) return
        for (const name of readdirSync(modules)) {
          if (name.startsWith(".")) continue
          const path = join(modules, name)
          if (name.startsWith("@")) {
            for (const inner of readdirSync(path)) visit(join(path, inner))
          } else visit(path)
        }
      }
      const visit = (path) => {
        const manifest = join(path, "package.json")
        if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "effect") {
          copies.push(`${path.slice(dir.length + 1)}@${JSON.parse(readFileSync(manifest, "utf8")).version}`)
        }
        walk(join(path, "node_modules"))
      }
      walk(join(dir, "node_modules"))
      assert(copies.length === 1, `copies of effect: ${copies.join(", ")}`)
      assert(copies[0] === `node_modules/effect@${consumerEffect}`, `the copy is ${copies[0]}`)
      ok(await run("npm", ["ls", "--all"], { cwd: dir, env }), "npm ls --all (invalid or missing peers)")
      return copies[0]
    })

    // The README's block as written; around it, what a fragment leaves to the reader: the
    // second reseller's credentials and running the program.
    const readme = readFileSync(join(root, "packages/sdk/README.md"), "utf8")
    const section = readme.indexOf("\n## Effect\n")
    const blockStart = readme.indexOf("```ts\n", section) + "```ts\n".length
    const example = readme.slice(blockStart, readme.indexOf("```", blockStart))
    const otherKey = `other-${randomBytes(12).toString("hex")}`
    writeFileSync(
      join(dir, "example.ts"),
      [
        `import { Redacted as ReaderRedacted } from "effect"`,
        `const otherCredentials = { apiUser: "other", apiKey: ReaderRedacted.make(${JSON.stringify(otherKey)}) }`,
        example,
        "console.log(JSON.stringify(await Effect.runPromise(program)))",
        ""
      ].join("\n")
    )
    writeFileSync(
      join(dir, "everything.ts"),
      [
        `import * as Core from "@account-overview/core"`,
        `import * as Sdk from "@account-overview/sdk"`,
        `import * as SdkFetch from "@account-overview/sdk/fetch"`,
        `import * as Store from "@account-overview/store"`,
        "console.log(JSON.stringify([Core, Store, Sdk, SdkFetch].map((m) => Object.keys(m).length)))",
        ""
      ].join("\n")
    )
    // The workspace's own @types/node: a consumer has its own; no download for it.
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2023",
          lib: ["ESNext", "DOM"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          typeRoots: [join(root, "node_modules", "@types")],
          types: ["node"],
          strict: true,
          noEmit: true,
          skipLibCheck: false
        },
        include: ["example.ts", "everything.ts"]
      })
    )

    await check(
      `the SDK README's Effect example and every export type-check against effect ${consumerEffect}`,
      async () => {
        const tsc = join(root, "node_modules", "typescript", "bin", "tsc")
        ok(await run(process.execPath, [tsc, "-p", "."], { cwd: dir, env, timeoutMs: 300_000 }), "tsc")
        return "tsc --strict, declaration files checked too"
      }
    )
    await check(`core, store and sdk load on effect ${consumerEffect}`, async () => {
      const result = ok(await run(process.execPath, ["everything.ts"], { cwd: dir, env }), "node everything.ts")
      return `exports ${result.stdout.trim()}`
    })
    await check(`the SDK README's Effect example prints the overviews, on effect ${consumerEffect}`, async () => {
      const dataDir = join(work, "service")
      mkdirSync(dataDir)
      const port = await freePort()
      const adminToken = randomBytes(24).toString("hex")
      const http = JSON.parse(readFileSync(join(root, "apps/http/package.json"), "utf8"))
      const server = start(process.execPath, [join(root, "apps/http", http.bin["account-overview-server"]), "serve"], {
        cwd: dataDir,
        env: {
          ...env,
          PORT: String(port),
          HOST: "127.0.0.1",
          DATABASE_URL: `sqlite:${join(dataDir, "ledger.db")}`,
          ADMIN_TOKEN: adminToken,
          LOG_LEVEL: "info"
        }
      })
      try {
        await server.waitFor((line) => line.includes(`:${port}`), 60_000)
        const baseUrl = `http://127.0.0.1:${port}`
        const mineKey = `mine-${randomBytes(12).toString("hex")}`
        // The ledger, through the SDK's operator client (its Promise API, on the same Effect).
        writeFileSync(
          join(dir, "seed.mjs"),
          [
            `import { createOperatorClient } from "@account-overview/sdk"`,
            `const operator = createOperatorClient({ baseUrl: ${JSON.stringify(baseUrl)}, adminToken: process.env.SEED_ADMIN_TOKEN })`,
            `await operator.packages.set("Consumer Package", { credits: 1000, overagePrice: 0.01 })`,
            `await operator.resellers.set("mine", { apiKey: ${JSON.stringify(mineKey)} })`,
            `await operator.resellers.set("other", { apiKey: ${JSON.stringify(otherKey)} })`,
            `await operator.customers.set("customer@example.com", { reseller: "mine", package: "Consumer Package", billingAnchor: "2026-01-15", reputation: 99 })`,
            `await operator.customers.set("customer@other.example", { reseller: "other", package: "Consumer Package", billingAnchor: "2026-01-31", reputation: 98 })`,
            `console.log("seeded")`,
            ""
          ].join("\n")
        )
        ok(
          await run(process.execPath, ["seed.mjs"], { cwd: dir, env: { ...env, SEED_ADMIN_TOKEN: adminToken } }),
          "seed.mjs"
        )
        const result = ok(
          await run(process.execPath, ["example.ts"], {
            cwd: dir,
            env: {
              ...env,
              ACCOUNT_OVERVIEW_BASE_URL: baseUrl,
              ACCOUNT_OVERVIEW_API_USER: "mine",
              ACCOUNT_OVERVIEW_API_KEY: mineKey
            }
          }),
          "node example.ts"
        )
        const printed = JSON.parse(result.stdout.trim().split("\n").pop())
        assert(Array.isArray(printed) && printed.length === 2, `it printed ${result.stdout.trim()}`)
        for (const [overview, reputation] of [
          [printed[0], 99],
          [printed[1], 98]
        ]) {
          assert(
            overview.package === "Consumer Package" &&
              overview.reputation === reputation &&
              overview.creditsAllowed === 1000 &&
              /^\d{4}-\d{2}-\d{2}$/.test(String(overview.billingEndDate)),
            `not the overview expected: ${JSON.stringify(overview)}`
          )
        }
        return `${printed.length} overviews, ${printed.map((o) => `${o.package} ${o.billingStartDate}..${o.billingEndDate}`).join("; ")}`
      } finally {
        server.kill("SIGTERM")
        await server.exited
      }
    })
  }
}

// --- the CHANGELOGs `changeset version` would write ------------------------------------------

await check("`changeset version` writes a CHANGELOG for every published package (in a clone of HEAD)", async () => {
  const clone = join(work, "changesets")
  ok(await run("git", ["clone", "--quiet", root, clone], { timeoutMs: 120_000 }), "git clone")
  const head = (await run("git", ["rev-parse", "HEAD"], { cwd: root })).stdout.trim()
  ok(await run("git", ["checkout", "--quiet", head], { cwd: clone }), "git checkout")
  const pending = readdirSync(join(clone, ".changeset")).filter((name) => name.endsWith(".md") && name !== "README.md")
  if (pending.length === 0) return "no pending changeset: nothing to write"
  symlinkSync(join(root, "node_modules"), join(clone, "node_modules"), "dir")
  const changeset = join(root, "node_modules", "@changesets", "cli", "bin.js")
  ok(await run(process.execPath, [changeset, "version"], { cwd: clone, env }), "changeset version")
  const written = []
  for (const p of packages) {
    const bumped = JSON.parse(readFileSync(join(clone, p.dir, "package.json"), "utf8")).version
    const file = join(clone, p.dir, "CHANGELOG.md")
    if (bumped === p.manifest.version) continue
    assert(existsSync(file), `no CHANGELOG.md for ${p.manifest.name} ${bumped}`)
    assert(readFileSync(file, "utf8").includes(`## ${bumped}\n`), `${p.manifest.name}'s CHANGELOG has no ${bumped}`)
    written.push(`${p.manifest.name.split("/")[1]} ${bumped}`)
  }
  return `${pending.length} changesets: ${written.join(", ")}`
})

rmSync(work, { recursive: true, force: true })
const passed = results.filter(Boolean).length
const failed = results.length - passed
console.log(`package checks: ${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
