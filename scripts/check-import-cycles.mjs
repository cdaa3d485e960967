#!/usr/bin/env node
// Fails when a package's sources import each other in a circle through
// value imports (a type-only back-edge is fine: it is erased). Reads the
// relative `import`/`export ... from` lines of every packages/*/src and
// apps/*/src module; `import type`, `export type` and imports whose every
// name is `type X` are not edges.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")

const sources = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sources(path)
    return /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [path] : []
  })

const statement = /(?:^|\n)[ \t]*(import|export)\s+(type\s+)?((?:(?!\bfrom\s*["'])[^;])*?)\s*from\s*["'](\.[^"']+)["']/g

/** The relative modules a source imports for their values. */
export const valueImports = (file, text) => {
  const edges = []
  for (const match of text.matchAll(statement)) {
    const [, , typeOnly, clause, specifier] = match
    if (typeOnly) continue
    const names = /^\{([^}]*)\}$/s.exec(clause.trim())
    if (names && names[1].split(",").every((n) => n.trim() === "" || /^type\s/.test(n.trim()))) continue
    const target = resolve(dirname(file), specifier.replace(/\.js$/, ".ts"))
    if (existsSync(target)) edges.push(target)
    else if (existsSync(target.replace(/\.ts$/, ".tsx"))) edges.push(target.replace(/\.ts$/, ".tsx"))
  }
  return edges
}

/** Every circle of value imports among the given files, each as a list of files. */
export const cycles = (graph) => {
  const found = []
  const state = new Map()
  const stack = []
  const visit = (node) => {
    state.set(node, "open")
    stack.push(node)
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next])
      else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(node, "done")
  }
  for (const node of graph.keys()) if (!state.has(node)) visit(node)
  return found
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let bad = 0
  for (const group of ["packages", "apps"]) {
    for (const pkg of readdirSync(join(root, group))) {
      const src = join(root, group, pkg, "src")
      if (!existsSync(src)) continue
      const graph = new Map(sources(src).map((file) => [file, valueImports(file, readFileSync(file, "utf8"))]))
      for (const circle of cycles(graph)) {
        bad++
        console.log(`value import cycle: ${circle.map((f) => relative(root, f)).join(" -> ")}`)
      }
    }
  }
  console.log(bad === 0 ? "no value import cycle in any package" : `${bad} value import cycle(s)`)
  process.exit(bad === 0 ? 0 : 1)
}
