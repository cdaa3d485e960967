import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { defaults } from "../../src/internal/settings.js"
import { version } from "../../src/internal/version.js"
import { packageVersion } from "../support/version.js"

describe("version", () => {
  it("is the package's version, and names it in the default user-agent", () => {
    assert.strictEqual(version, packageVersion)
    assert.strictEqual(defaults.userAgent, `account-overview-sdk/${packageVersion}`)
  })

  it("is what build.mjs writes from package.json", () => {
    const file = new URL("../../src/internal/version.ts", import.meta.url)
    const before = readFileSync(file, "utf8")
    execFileSync(process.execPath, [fileURLToPath(new URL("../../build.mjs", import.meta.url))])
    assert.strictEqual(readFileSync(file, "utf8"), before)
    assert.include(before, `export const version = ${JSON.stringify(packageVersion)}`)
  })
})
