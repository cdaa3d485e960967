import { assert, describe, it } from "@effect/vitest"
import { Cause, Exit, Schema } from "effect"
import {
  Instant,
  isInstant,
  maxDailyTotal,
  maxEventCount,
  maxNameLength,
  Name,
  UsageEvent
} from "../src/LedgerRecords.js"

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

describe("bounds", () => {
  const event = { id: "e1", user: "u", requests: 1, credits: 2, occurredAt: "2024-02-29T00:00:00Z" }
  const problemsOf = (input: unknown) => {
    const exit = Schema.decodeUnknownExit(UsageEvent, { errors: "all" })(input)
    return Exit.isSuccess(exit) ? [] : String(Cause.squash(exit.cause))
  }

  it("an event carries at most maxEventCount requests and credits; 2^53-1 is refused naming the field", () => {
    assert.strictEqual(maxEventCount, 10 ** 12)
    assert.deepStrictEqual(
      Schema.decodeUnknownSync(UsageEvent)({ ...event, credits: maxEventCount }).credits,
      maxEventCount
    )
    for (const field of ["credits", "requests"] as const) {
      for (const value of [maxEventCount + 1, 2 ** 53 - 1]) {
        const problems = problemsOf({ ...event, [field]: value })
        assert.include(String(problems), `["${field}"]`)
        assert.include(String(problems), "at most 1000000000000")
      }
    }
  })

  it("a cycle of 31 days at maxDailyTotal stays a safe integer", () => {
    assert.isTrue(Number.isSafeInteger(31 * maxDailyTotal))
    assert.isBelow(32 * maxDailyTotal, 2 ** 53)
  })

  it("a name holds 1 to maxNameLength (255) characters", () => {
    assert.strictEqual(maxNameLength, 255)
    assert.strictEqual(Schema.decodeUnknownSync(Name)("n".repeat(255)).length, 255)
    assert.throws(() => Schema.decodeUnknownSync(Name)("n".repeat(256)))
  })
})
