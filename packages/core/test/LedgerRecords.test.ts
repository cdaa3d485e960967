import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { Instant, isInstant, UsageEvent } from "../src/LedgerRecords.js"

describe("Instant", () => {
  it("accepts RFC 3339 timestamps with an offset", () => {
    for (const s of [
      "2024-02-29T13:45:00Z",
      "2024-02-29T14:45:00.123+01:00",
      "2023-12-31T23:59:59.999999999-05:30",
      "2010-08-30T00:00:00Z"
    ]) {
      assert.isTrue(isInstant(s), s)
    }
  })

  it("refuses days and times that do not exist, which a lenient parser would roll over", () => {
    for (const s of [
      "2024-02-30T00:00:00Z",
      "2023-02-29T12:00:00Z",
      "2024-04-31T12:00:00Z",
      "2024-01-01T24:00:00Z",
      "2024-01-01T23:60:00Z",
      "2024-01-01T23:59:60Z",
      "2024-01-01T12:00:00+24:00",
      "2024-01-01T12:00:00",
      "2024-01-01",
      "2024-01-01 12:00:00Z",
      ""
    ]) {
      assert.isFalse(isInstant(s), s)
    }
    assert.throws(() => Schema.decodeUnknownSync(Instant)("2024-02-30T00:00:00Z"))
  })

  it("is what a usage event's occurredAt must be", () => {
    const event = { id: "e1", user: "u", requests: 1, credits: 2, occurredAt: "2024-02-30T00:00:00Z" }
    assert.throws(() => Schema.decodeUnknownSync(UsageEvent)(event))
    assert.deepStrictEqual(Schema.decodeUnknownSync(UsageEvent)({ ...event, occurredAt: "2024-02-29T00:00:00Z" }), {
      ...event,
      occurredAt: "2024-02-29T00:00:00Z"
    })
  })
})
