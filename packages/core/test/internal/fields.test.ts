import { assert, describe, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import * as fc from "fast-check"
import { isCalendarDate } from "../../src/CalendarDate.js"
import { DecodeError } from "../../src/Errors.js"
import { isWireDate, overviewFromWire, parseNumber } from "../../src/internal/fields.js"
import { ErrorBody, Overview, overviewFields } from "../../src/Overview.js"
import { calendarDate } from "../arbitraries.js"

const decodeWithSchema = Schema.decodeUnknownResult(Overview)
const decodeErrorBody = Schema.decodeUnknownResult(ErrorBody)

// The lean validation answers 0 for -0 (`n + 0`), so that no -0 reaches a total or an
// encoder; the schema passes -0 through. Equal values otherwise.
const positiveZeros = <A extends object>(value: A): A =>
  Object.fromEntries(Object.entries(value).map(([k, v]) => [k, Object.is(v, -0) ? 0 : v])) as A

const toWire = (camel: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(overviewFields.filter(([key]) => key in camel).map(([key, wire]) => [wire, camel[key]]))

describe("the lean validation agrees with the Overview schema", () => {
  const number = fc.oneof(
    fc.nat(),
    fc.integer({ min: -5, max: 5 }),
    fc.double({ noNaN: true }),
    fc.double({ min: -1, max: 101 }),
    fc.constantFrom(100, 100.5, -0, 2 ** 53, 2 ** 53 - 1, 1e21, Number.NaN, Number.POSITIVE_INFINITY)
  )
  const dateLike = fc.oneof(
    calendarDate.map(String),
    fc.constantFrom(
      "2010-02-30",
      "2010-13-01",
      "2010-8-30",
      "0000-02-29",
      "2000-02-29",
      "1900-02-29",
      "20x0-01-15",
      "2010-01-1x"
    )
  )
  const anything = fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.constant(undefined))
  const camel = fc.record(
    {
      reputation: fc.oneof(number, anything),
      requests: fc.oneof(number, anything),
      package: fc.oneof(fc.string(), number, anything),
      creditsAllowed: fc.oneof(number, anything),
      creditsUsed: number,
      creditsRemain: number,
      creditsOverage: number,
      billingStartDate: fc.oneof(dateLike, anything),
      billingEndDate: dateLike,
      billingProcessDate: dateLike
    },
    { requiredKeys: ["creditsUsed", "creditsRemain", "creditsOverage", "billingEndDate", "billingProcessDate"] }
  )

  it("accepts exactly what the schema accepts, with the same values (numbers and strings as the schema types them)", () => {
    fc.assert(
      fc.property(camel, (input) => {
        const usesWireTolerance = ["reputation", "requests", "creditsAllowed"].some(
          (k) => typeof (input as Record<string, unknown>)[k] === "string"
        )
        const lean = overviewFromWire(toWire(input))
        const schema = decodeWithSchema(input)
        if (usesWireTolerance) return
        assert.strictEqual(lean instanceof DecodeError, Result.isFailure(schema), JSON.stringify(input))
        if (Result.isSuccess(schema)) assert.deepStrictEqual(lean, positiveZeros(schema.success))
      }),
      { numRuns: 5000 }
    )
  })

  it("its results always satisfy the schema", () => {
    fc.assert(
      fc.property(camel, (input) => {
        const lean = overviewFromWire(toWire(input))
        if (!(lean instanceof DecodeError)) assert.isTrue(Result.isSuccess(decodeWithSchema(lean)))
      }),
      { numRuns: 5000 }
    )
  })

  it("error bodies it builds satisfy the ErrorBody schema", () => {
    assert.isTrue(Result.isSuccess(decodeErrorBody({ message: "error", errors: ["a"] })))
  })
})

describe("isWireDate", () => {
  it("agrees with isCalendarDate", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          calendarDate.map(String),
          fc.string({ unit: fc.constantFrom("0", "1", "2", "9", "-", "x", " "), minLength: 8, maxLength: 11 }),
          fc
            .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }))
            .map(
              ([y, m, d]) => `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`
            )
        ),
        (s) => assert.strictEqual(isWireDate(s), isCalendarDate(s), s)
      ),
      { numRuns: 5000 }
    )
  })
})

describe("parseNumber", () => {
  it("reads decimal numbers with whitespace around them, nothing else", () => {
    const cases: Array<[string, number | undefined]> = [
      ["0", 0],
      ["007", 7],
      [" 100\n", 100],
      ["-3", -3],
      ["1.5", 1.5],
      ["5e4", 50000],
      ["1E-2", 0.01],
      ["123456789012345", 123456789012345],
      ["9007199254740993", 9007199254740992],
      ["", undefined],
      ["+1", undefined],
      [".5", undefined],
      ["1.", undefined],
      ["0x10", undefined],
      ["1_000", undefined],
      ["Infinity", undefined],
      ["NaN", undefined],
      ["1 2", undefined],
      ["\u00a01", undefined]
    ]
    for (const [s, n] of cases) assert.strictEqual(parseNumber(s), n, JSON.stringify(s))
  })

  it("reads back every finite number JavaScript writes", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) =>
        Object.is(parseNumber(String(x)), x + 0 === 0 ? 0 : x)
      )
    )
  })
})
