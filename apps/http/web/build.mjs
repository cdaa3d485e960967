#!/usr/bin/env node
// Builds the page into dist/web/: the TypeScript bundled and minified by
// esbuild, the CSS minified, both named by a hash of their content
// (served immutable), and index.html pointing at them. Prints the sizes.
import { createHash } from "node:crypto"
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import { build } from "esbuild"

const here = fileURLToPath(new URL(".", import.meta.url))
const out = fileURLToPath(new URL("../dist/web/", import.meta.url))
const hashOf = (bytes) => createHash("sha256").update(bytes).digest("hex").slice(0, 12)

const bundle = async (entry, loader) => {
  const result = await build({
    entryPoints: [`${here}src/${entry}`],
    bundle: true,
    minify: true,
    format: "esm",
    target: ["chrome110", "firefox110", "safari16"],
    write: false,
    legalComments: "none",
    loader
  })
  return result.outputFiles[0].contents
}

const js = await bundle("main.ts")
const css = await bundle("style.css")
rmSync(out, { recursive: true, force: true })
mkdirSync(`${out}assets`, { recursive: true })
const jsName = `app.${hashOf(js)}.js`
const cssName = `app.${hashOf(css)}.css`
writeFileSync(`${out}assets/${jsName}`, js)
writeFileSync(`${out}assets/${cssName}`, css)
const html = readFileSync(`${here}index.html`, "utf8").replace("%JS%", jsName).replace("%CSS%", cssName)
writeFileSync(`${out}index.html`, html)
const sizes = {
  js: { name: jsName, bytes: js.byteLength, gzip: gzipSync(js, { level: 9 }).byteLength },
  css: { name: cssName, bytes: css.byteLength, gzip: gzipSync(css, { level: 9 }).byteLength }
}
writeFileSync(`${out}sizes.json`, `${JSON.stringify(sizes, null, 2)}\n`)
console.log(`page: ${jsName} ${sizes.js.gzip} B gzip, ${cssName} ${sizes.css.gzip} B gzip`)
