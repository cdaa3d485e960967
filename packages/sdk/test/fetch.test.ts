import { existsSync, readFileSync, statSync } from "node:fs"
import { builtinModules } from "node:module"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import ts from "typescript"

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const conditions = ["browser", "worker", "import", "default"]
const nodeBuiltins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]))
const forbiddenPackages = new Set(["undici", "@effect/platform-node", "@effect/platform-node-shared", "ws"])

/** The module specifiers a file imports, statically or with `import("…")`, read by TypeScript's pre-processor. */
const specifiers = (source: string): Array<string> =>
  ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName)

const pick = (target: unknown): string | undefined => {
  if (typeof target === "string") return target
  if (target === null || typeof target !== "object") return undefined
  for (const [condition, value] of Object.entries(target)) {
    if (conditions.includes(condition)) {
      const picked = pick(value)
      if (picked !== undefined) return picked
    }
  }
  return undefined
}

const exportTarget = (exportsField: Record<string, unknown>, subpath: string): string | undefined => {
  if (subpath in exportsField) return pick(exportsField[subpath])
  for (const [key, value] of Object.entries(exportsField)) {
    const star = key.indexOf("*")
    if (star === -1) continue
    const prefix = key.slice(0, star)
    const suffix = key.slice(star + 1)
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1) {
      const middle = subpath.slice(prefix.length, subpath.length - suffix.length)
      return pick(value)?.replace("*", middle)
    }
  }
  return undefined
}

const resolveBare = (specifier: string, from: string): string => {
  const parts = specifier.split("/")
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!
  const subpath = `.${specifier.slice(name.length)}`
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name)
    if (existsSync(join(candidate, "package.json"))) {
      const manifest = JSON.parse(readFileSync(join(candidate, "package.json"), "utf8"))
      const target = exportTarget(manifest.exports, subpath)
      if (target === undefined) throw new Error(`${specifier} is not exported (from ${from})`)
      return join(candidate, target)
    }
    if (dir === dirname(dir)) throw new Error(`cannot resolve ${specifier} from ${from}`)
  }
}

/** Every module reachable from `entry`, with the bare specifiers each imports. */
const graph = (entry: string) => {
  const seen = new Map<string, Array<string>>()
  const queue = [entry]
  while (queue.length > 0) {
    const file = queue.pop()!
    if (seen.has(file)) continue
    const imports = specifiers(readFileSync(file, "utf8"))
    seen.set(file, imports)
    for (const specifier of imports) {
      if (nodeBuiltins.has(specifier) || specifier.startsWith("node:")) continue
      const parts = specifier.split("/")
      const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!
      if (forbiddenPackages.has(name)) continue
      const target = specifier.startsWith(".") ? resolve(dirname(file), specifier) : resolveBare(specifier, file)
      queue.push(existsSync(target) && statSync(target).isFile() ? target : `${target}.js`)
    }
  }
  return seen
}

const entry = join(packageDir, "dist", "fetch.js")

describe("the ./fetch entry", () => {
  it("its built module graph imports nothing from Node: no node:*, no builtin, no undici", () => {
    assert.isTrue(existsSync(entry), "build the package first (pnpm --filter @account-overview/sdk build)")
    const modules = graph(entry)
    const offenders: Array<string> = []
    for (const [file, imports] of modules) {
      for (const specifier of imports) {
        const parts = specifier.split("/")
        const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!
        if (nodeBuiltins.has(specifier) || specifier.startsWith("node:") || forbiddenPackages.has(name)) {
          offenders.push(`${file.slice(file.indexOf("node_modules") + 1 || packageDir.length)} imports ${specifier}`)
        }
      }
    }
    assert.deepStrictEqual(offenders, [])
    assert.isAbove(modules.size, 20, "the graph was followed into effect and core")
    assert.isTrue(
      [...modules.keys()].some((file) => file.includes("@account-overview/core") || file.includes("core/dist"))
    )
  })

  it("the Node entry's graph does import undici (the scan sees it)", () => {
    const modules = graph(join(packageDir, "dist", "index.js"))
    assert.isTrue([...modules.values()].some((imports) => imports.includes("undici")))
  })

  it("the package's exports map sends browsers, workers and edge runtimes to it", () => {
    const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"))
    for (const condition of ["browser", "worker", "workerd", "edge-light"]) {
      assert.strictEqual(manifest.exports["."][condition].default, "./dist/fetch.js")
    }
    assert.deepStrictEqual(Object.keys(manifest.exports), [".", "./fetch", "./package.json"])
  })
})
