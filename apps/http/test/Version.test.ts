import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { serviceVersion } from "../src/Version.js"

describe("Version", () => {
  it("is the package's version", () => {
    const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
    assert.strictEqual(serviceVersion, manifest.version)
    assert.match(serviceVersion, /^\d+\.\d+\.\d+/)
  })
})
