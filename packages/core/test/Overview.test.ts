import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { Count, Dialect, ErrorBody, Format, Overview, overviewFields, Reputation } from "../src/Overview.js"
import { seedOverview } from "./arbitraries.js"

const accepts = <S extends Schema.Top>(schema: S, input: unknown): boolean =>
  Schema.is(schema as unknown as Schema.Schema<unknown>)(input)

describe("Overview", () => {
  it("takes the seed's overview, and counts, reputations and dates within their rules only", () => {
    assert.isTrue(accepts(Overview, seedOverview))
    assert.isFalse(accepts(Overview, { ...seedOverview, creditsUsed: -1 }))
    assert.isFalse(accepts(Overview, { ...seedOverview, billingEndDate: "2010-02-30" }))
    assert.deepStrictEqual([accepts(Count, 0), accepts(Count, 1.5), accepts(Count, -1)], [true, false, false])
    assert.deepStrictEqual(
      [accepts(Reputation, 100), accepts(Reputation, 100.5), accepts(Reputation, 0)],
      [true, false, true]
    )
  })

  it("lists every field once, in the seed's wire order", () => {
    assert.deepStrictEqual(overviewFields.map(([field]) => field).sort(), Object.keys(Overview.fields).sort())
    assert.deepStrictEqual(overviewFields[0], ["reputation", "reputation"])
    assert.deepStrictEqual(overviewFields[9], ["billingProcessDate", "billing_process_date"])
  })

  it("knows the error body, the formats and the dialects", () => {
    assert.isTrue(accepts(ErrorBody, { message: "error", errors: ["x"] }))
    assert.isFalse(accepts(ErrorBody, { message: "error", errors: [] }))
    assert.deepStrictEqual(Format.literals, ["json", "xml"])
    assert.deepStrictEqual(Dialect.literals, ["v1", "v2"])
  })
})
