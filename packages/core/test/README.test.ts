import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { errorTable } from "../src/Errors.js"

describe("README", () => {
  it("prints the error table as errorTable has it", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
    const rows = readme
      .split("\n")
      .filter((line) => /^\| [A-Z][A-Za-z]+ \| \d{3} \|/.test(line))
      .map((line) => line.split("|").map((cell) => cell.trim()))
      .map(([, tag, status, message]) => [tag, Number(status), message])
    const expected = Object.entries(errorTable).map(([tag, row]) => [tag, row.status, row.message])
    assert.deepStrictEqual(rows, expected)
  })
})
