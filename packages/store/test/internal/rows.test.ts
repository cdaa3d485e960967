import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Result, Schema } from "effect"
import * as Rows from "../../src/internal/rows.js"

// The hand checks of the hot path must answer exactly what the row schemas
// answer: the same rows refused, the same values kept.

const valid = {
  key_hash: "scrypt$16384$8$5$c2FsdA$aGFzaA",
  user_name: "customer@example.com",
  billing_anchor: "2024-01-31",
  reputation: 99.5,
  package_name: "Silver Package",
  package_credits: 50_000,
  overage_price: 0.001
}
type Column = keyof typeof valid

const names = [
  null,
  "a",
  "x".repeat(255),
  "x".repeat(256),
  "",
  " lead",
  "trail ",
  "tab\tinside",
  "nul\u0000",
  "del\u007f",
  "Paket Größe 5 — Ü",
  "nbsp\u00a0",
  42,
  undefined,
  {}
]
const numbers = [
  null,
  0,
  -0,
  1,
  -1,
  0.5,
  100,
  2 ** 53,
  2 ** 53 - 1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  7n,
  -7n,
  2n ** 64n,
  "12",
  "12.5",
  "",
  " 3 ",
  "1e3",
  "abc",
  "Infinity",
  true,
  undefined,
  [1]
]
const candidates: Record<Column, ReadonlyArray<unknown>> = {
  key_hash: ["", "x", "scrypt$1$1$1$a$b", null, 1, undefined],
  user_name: names,
  billing_anchor: [
    null,
    "2024-02-29",
    "2023-02-29",
    "2024-02-30",
    "2024-13-01",
    "2024-00-10",
    "2024-1-01",
    " 2024-01-01",
    "0001-01-01",
    "9999-12-31",
    "",
    20240101,
    undefined
  ],
  reputation: numbers,
  package_name: names,
  package_credits: numbers,
  overage_price: numbers
}

const decodeOverviewRow = Schema.decodeUnknownResult(Rows.OverviewRow)
const decodeTotalsRow = Schema.decodeUnknownResult(Rows.TotalsRow)

/** What the ledger made of a decoded row before the hand checks. */
const reference = (apiUser: string, row: typeof Rows.OverviewRow.Type) => {
  if (
    row.user_name === null ||
    row.billing_anchor === null ||
    row.reputation === null ||
    row.package_name === null ||
    row.package_credits === null
  ) {
    return Option.some({ keyHash: row.key_hash, customer: Option.none() })
  }
  return Option.some({
    keyHash: row.key_hash,
    customer: Option.some({
      customer: {
        user: row.user_name,
        reseller: apiUser,
        package: row.package_name,
        billingAnchor: row.billing_anchor,
        reputation: row.reputation
      },
      package: Rows.toPackage(row.package_name, row.package_credits, row.overage_price)
    })
  })
}

const sameAnswer = (row: Record<Column, unknown>, label: string) => {
  const decoded = decodeOverviewRow(row)
  const checked = Rows.overviewSourceOf("acme", Rows.overviewValues(row))
  if (Result.isFailure(decoded)) {
    assert.instanceOf(checked, Rows.BadRow, `${label}: the schema refuses it, the check must too`)
    return "refused"
  }
  assert.notInstanceOf(checked, Rows.BadRow, `${label}: the schema accepts it, so must the check`)
  assert.deepStrictEqual(checked, reference("acme", decoded.success), label)
  return "accepted"
}

describe("Rows: the hot path's hand checks", () => {
  it("refuse and accept the overview rows the schema refuses and accepts, column by column", () => {
    const outcomes = new Set<string>()
    for (const column of Object.keys(candidates) as Array<Column>) {
      for (const value of candidates[column]) {
        const outcome = sameAnswer({ ...valid, [column]: value }, `${column} = ${String(value)}`)
        outcomes.add(`${column}:${outcome}`)
      }
    }
    for (const column of Object.keys(candidates)) {
      assert.isTrue(outcomes.has(`${column}:refused`), `some ${column} is refused`)
      assert.isTrue(outcomes.has(`${column}:accepted`), `some ${column} is accepted`)
    }
  })

  it("agree with the schema on random combinations", () => {
    let state = 0x2545f491
    const next = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0
      return state % n
    }
    const columns = Object.keys(candidates) as Array<Column>
    let accepted = 0
    for (let i = 0; i < 3000; i++) {
      const row = { ...valid }
      for (const column of columns) {
        if (next(3) === 0) {
          const options = candidates[column]
          ;(row as Record<Column, unknown>)[column] = options[next(options.length)]
        }
      }
      if (
        sameAnswer(
          row,
          JSON.stringify(row, (_, v) => (typeof v === "bigint" ? `${v}n` : v))
        ) === "accepted"
      ) {
        accepted++
      }
    }
    assert.isAbove(accepted, 100)
  })

  it("read no row as no reseller, and a row without customer as no customer", () => {
    assert.deepStrictEqual(Rows.overviewSourceOf("acme", undefined), Option.none())
    const empty = { ...valid, user_name: null, billing_anchor: null, reputation: null, package_name: null }
    const source = Rows.overviewSourceOf("acme", Rows.overviewValues({ ...empty, package_credits: null }))
    assert.deepStrictEqual(source, Option.some({ keyHash: valid.key_hash, customer: Option.none() }))
  })

  it("take a key-only read's reseller from its api_user column, which must be a name", () => {
    const row = Rows.overviewValues({ ...valid, api_user: "acme" })
    assert.deepStrictEqual(Rows.overviewSourceOf(undefined, row), Rows.overviewSourceOf("acme", row))
    assert.deepStrictEqual(Rows.overviewSourceOf(undefined, undefined), Option.none())
    const bad = Rows.overviewSourceOf(undefined, Rows.overviewValues({ ...valid, api_user: " acme" }))
    assert.instanceOf(bad, Rows.BadRow)
    assert.strictEqual((bad as Rows.BadRow).message, "overview.api_user: expected a name")
    assert.instanceOf(Rows.overviewSourceOf(undefined, Rows.overviewValues({ ...valid })), Rows.BadRow)
  })

  it("refuse and accept the totals the schema refuses and accepts", () => {
    for (const requests of numbers) {
      for (const credits of [0, 5, -1, "9", Number.NaN, null]) {
        const decoded = decodeTotalsRow({ requests, credits })
        const checked = Rows.totalsOf(requests, credits)
        if (Result.isFailure(decoded)) assert.instanceOf(checked, Rows.BadRow, `${String(requests)}, ${credits}`)
        else assert.deepStrictEqual(checked, decoded.success)
      }
    }
  })

  it("name the column and what was expected, never the value", () => {
    const secretish = "scrypt-like value that must not be echoed"
    const bad = Rows.overviewSourceOf("acme", Rows.overviewValues({ ...valid, user_name: ` ${secretish}` }))
    assert.instanceOf(bad, Rows.BadRow)
    const error = bad as Rows.BadRow
    assert.strictEqual(error.message, "overview.user_name: expected a name or null")
    assert.notInclude(JSON.stringify(error), secretish)
  })
})

describe("cycleTotalsOf", () => {
  it("sums the rows of the cycle's days, from JSON text or parsed, and checks every row", () => {
    const rows = [
      ["2024-02-28", 1, 10],
      ["2024-02-29", 2, 20],
      ["2024-03-28", 4, 40],
      ["2024-03-29", 8, 80]
    ]
    assert.deepStrictEqual(Rows.cycleTotalsOf(rows, "2024-02-29", "2024-03-28"), { requests: 6, credits: 60 })
    assert.deepStrictEqual(Rows.cycleTotalsOf(JSON.stringify(rows), "2024-02-29", "2024-03-28"), {
      requests: 6,
      credits: 60
    })
    assert.deepStrictEqual(Rows.cycleTotalsOf(null, "2024-02-29", "2024-03-28"), { requests: 0, credits: 0 })
    for (const bad of ["[", [["2024-02-30", 1, 1]], [["2024-03-01", -1, 1]], [["2024-03-01", 1]], { day: 1 }]) {
      assert.instanceOf(Rows.cycleTotalsOf(bad, "2024-02-29", "2024-03-28"), Rows.BadRow)
    }
  })
})

describe("rowsDecoder", () => {
  it.effect("decodes every row of a statement as a struct of the fields, or fails on a bad one", () =>
    Effect.gen(function* () {
      const decode = Rows.rowsDecoder({ id: Rows.DbNumber, name: Schema.NullOr(Schema.String) })
      assert.deepStrictEqual(
        yield* decode([
          { id: 1, name: "a" },
          { id: 2n, name: null }
        ]),
        [
          { id: 1, name: "a" },
          { id: 2, name: null }
        ]
      )
      assert.deepStrictEqual(yield* decode([]), [])
      const bad = yield* Effect.flip(
        decode([
          { id: 1, name: "a" },
          { id: "x", name: 1 }
        ])
      )
      assert.strictEqual(bad._tag, "SchemaError")
    })
  )
})
