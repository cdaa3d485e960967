import { assert, describe, it } from "@effect/vitest"
import { type Field, fieldKeys, listWriter, onlyFields, writeRecord } from "../src/Records.js"

interface Pack {
  readonly name: string
  readonly credits: number
  readonly overagePrice?: number | undefined
}

const fields: ReadonlyArray<Field<Pack>> = [
  { key: "name", header: "NAME", get: (p) => p.name },
  { key: "credits", header: "CREDITS", get: (p) => p.credits, align: "right" },
  { key: "overagePrice", header: "OVERAGE PRICE", get: (p) => p.overagePrice, align: "right" }
]

const packs: ReadonlyArray<Pack> = [
  { name: "Silver, plus", credits: 50_000, overagePrice: 0.001 },
  { name: "Bronze", credits: 1_000 }
]

const listed = (output: "table" | "json" | "ndjson" | "csv", items: ReadonlyArray<Pack> = packs): string => {
  let text = ""
  const writer = listWriter(output, fields, false, (chunk) => {
    text += chunk
  })
  for (const item of items) writer.write(item)
  writer.end()
  return text
}

describe("Records", () => {
  it("ndjson: one object a line under the API's field names, absent fields left out", () => {
    assert.strictEqual(
      listed("ndjson"),
      '{"name":"Silver, plus","credits":50000,"overagePrice":0.001}\n{"name":"Bronze","credits":1000}\n'
    )
  })

  it("json: an array, empty when there is nothing", () => {
    assert.deepStrictEqual(JSON.parse(listed("json")), [
      { name: "Silver, plus", credits: 50000, overagePrice: 0.001 },
      { name: "Bronze", credits: 1000 }
    ])
    assert.strictEqual(listed("json", []), "[]\n")
  })

  it("csv: a header row of field names, RFC 4180 quoting (LF line ends), an empty cell for an absent field", () => {
    assert.strictEqual(listed("csv"), 'name,credits,overagePrice\n"Silver, plus",50000,0.001\nBronze,1000,\n')
  })

  it("table: headers, numbers aligned right, no trailing spaces", () => {
    assert.strictEqual(
      listed("table"),
      [
        "NAME          CREDITS  OVERAGE PRICE",
        "Silver, plus    50000          0.001",
        "Bronze           1000",
        ""
      ].join("\n")
    )
  })

  it("writeRecord: a JSON object, or key-value lines", () => {
    let json = ""
    writeRecord("json", fields, packs[1]!, false, (chunk) => {
      json += chunk
    })
    assert.strictEqual(json, '{\n  "name": "Bronze",\n  "credits": 1000\n}\n')
    let table = ""
    writeRecord("table", fields, packs[0]!, false, (chunk) => {
      table += chunk
    })
    assert.strictEqual(table, "name           Silver, plus\ncredits        50000\noverage price  0.001\n")
  })

  it("onlyFields keeps the fields named, in that order, for --fields", () => {
    assert.deepStrictEqual(fieldKeys(fields), ["name", "credits", "overagePrice"])
    const chosen = onlyFields(fields, ["overagePrice", "name"])
    assert.deepStrictEqual(fieldKeys(chosen), ["overagePrice", "name"])
    assert.strictEqual(onlyFields(fields, undefined), fields)
    let text = ""
    const writer = listWriter("ndjson", chosen, false, (chunk) => {
      text += chunk
    })
    for (const item of packs) writer.write(item)
    writer.end()
    assert.strictEqual(text, '{"overagePrice":0.001,"name":"Silver, plus"}\n{"name":"Bronze"}\n')
  })
})
