import { assert, describe, it } from "@effect/vitest"
import * as Csv from "../src/Csv.js"

describe("Csv", () => {
  it("quotes only the fields RFC 4180 requires, doubling inner quotes", () => {
    assert.strictEqual(Csv.field("plain"), "plain")
    assert.strictEqual(Csv.field("Silver, Gold"), '"Silver, Gold"')
    assert.strictEqual(Csv.field('say "hi"'), '"say ""hi"""')
    assert.strictEqual(Csv.field("two\nlines"), '"two\nlines"')
    assert.strictEqual(Csv.field("cr\r"), '"cr\r"')
    assert.strictEqual(Csv.field(42), "42")
    assert.strictEqual(Csv.field(undefined), "")
    assert.strictEqual(Csv.record(["a", "b,c", 3]), 'a,"b,c",3\n')
  })

  it("reads back what it writes", () => {
    const values = ["", "a", "a,b", 'q"q', "x\ny", " lead", "trail "]
    const line = Csv.record(values).slice(0, -1)
    const parsed = Csv.parseRecord(line)
    assert.deepStrictEqual(parsed, { _tag: "Record", fields: values })
  })

  it("says when a quoted field continues on the next line", () => {
    assert.deepStrictEqual(Csv.parseRecord('a,"b'), { _tag: "Incomplete" })
    assert.deepStrictEqual(Csv.parseRecord('a,"b\nc",d'), { _tag: "Record", fields: ["a", "b\nc", "d"] })
  })

  it("refuses stray quotes", () => {
    assert.strictEqual(Csv.parseRecord('a,b"c')._tag, "Invalid")
    assert.strictEqual(Csv.parseRecord('"a"b,c')._tag, "Invalid")
  })

  it("keeps empty trailing fields", () => {
    assert.deepStrictEqual(Csv.parseRecord("a,,"), { _tag: "Record", fields: ["a", "", ""] })
  })
})
