#!/usr/bin/env node
// Decodes the seed's XML and JSON samples with @account-overview/core, prints
// the overviews, then the bodies the service writes for them: XML, JSON v1,
// JSON v2 and an error body. Builds core first when it has not been built.
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"

const core = new URL("../packages/core/", import.meta.url)
const entry = new URL("dist/index.js", core)
if (!existsSync(entry)) {
  console.error("building @account-overview/core ...")
  const build = spawnSync("pnpm", ["--filter", "@account-overview/core", "build"], {
    cwd: new URL("..", import.meta.url),
    stdio: ["ignore", "inherit", "inherit"],
    shell: process.platform === "win32"
  })
  if (build.status !== 0 || !existsSync(entry)) {
    console.error("could not build @account-overview/core: run `pnpm --filter @account-overview/core build`")
    process.exit(1)
  }
}
const { contentTypeOf, decodeResponse, encodeErrorBody, encodeOverview, errorTable } = await import(entry.href)

const fixture = (name) => new Uint8Array(readFileSync(new URL(`test/fixtures/${name}`, core)))
const show = (bytes, charset) => new TextDecoder(charset === "latin1" ? "windows-1252" : "utf-8").decode(bytes)

const samples = [
  ["the seed's XML sample", fixture("seed-overview.xml"), contentTypeOf("xml")],
  ["the seed's JSON sample (no braces, a line break in the package)", fixture("seed-overview-json.txt"), undefined],
  ["the seed's XML error sample", fixture("seed-error.xml"), undefined]
]

let overview
for (const [label, bytes, contentType] of samples) {
  const result = decodeResponse(bytes, contentType)
  console.log(`\n== ${label}, decoded`)
  if (result._tag === "Failure") {
    console.log(`DecodeError at ${JSON.stringify(result.failure.path)}: ${result.failure.reason}`)
    process.exitCode = 1
    continue
  }
  console.log(JSON.stringify(result.success, null, 2))
  if (result.success._tag === "Overview") overview ??= result.success.overview
}

for (const [format, dialect] of [
  ["xml", "v1"],
  ["json", "v1"],
  ["json", "v2"]
]) {
  const bytes = encodeOverview(overview, format, dialect)
  console.log(`\n== ${format} ${dialect}: ${bytes.length} bytes, Content-Type: ${contentTypeOf(format)}`)
  console.log(show(bytes, format === "xml" ? "latin1" : "utf-8"))
}

const notFound = encodeErrorBody([errorTable.CustomerNotFound.message], "xml")
console.log(`\n== error body, HTTP ${errorTable.CustomerNotFound.status}, xml: ${notFound.length} bytes`)
console.log(show(notFound, "latin1"))
