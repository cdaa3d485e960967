import { maxEventsPerBatch } from "@account-overview/core"
import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import { batchFormat, decodeBatch, decodeUtf8, invalidBatch, wholeRequest } from "../../src/operator/UsageBatch.js"

const event = (i: number) => ({
  id: `ev-${i}`,
  user: "alice",
  requests: 1,
  credits: 2,
  occurredAt: "2024-02-29T13:45:00Z"
})

const ok = (body: string, format: "json" | "ndjson" = "json") => {
  const result = decodeBatch(body, format)
  if (Result.isFailure(result)) throw new Error(`expected a decoded batch, got ${result.failure.message}`)
  return result.success
}

const failure = (body: string, format: "json" | "ndjson" = "json") => {
  const result = decodeBatch(body, format)
  if (Result.isSuccess(result)) throw new Error("expected a failure")
  return result.failure
}

describe("UsageBatch (decodeBatch; readBatch through operator/Routes.test.ts)", () => {
  it("reads the format from Content-Type", () => {
    assert.strictEqual(batchFormat(undefined), "json")
    assert.strictEqual(batchFormat("application/json; charset=utf-8"), "json")
    assert.strictEqual(batchFormat("Application/X-NDJSON"), "ndjson")
    assert.strictEqual(batchFormat("text/plain"), undefined)
  })

  it("decodes a JSON array of valid events in order", () => {
    const batch = ok(JSON.stringify([event(0), event(1)]))
    assert.deepStrictEqual(batch.events, [event(0), event(1)])
    assert.deepStrictEqual(batch.indexes, [0, 1])
    assert.deepStrictEqual(batch.problems, [])
  })

  it("decodes NDJSON, skipping blank lines and CRLF endings", () => {
    const body = `${JSON.stringify(event(0))}\r\n\n  \n${JSON.stringify(event(1))}\n`
    const batch = ok(body, "ndjson")
    assert.deepStrictEqual(batch.events, [event(0), event(1)])
    assert.deepStrictEqual(batch.problems, [])
  })

  it("lists every problem of every bad event by index and field", () => {
    const body = JSON.stringify([
      event(0),
      { user: "alice", requests: -1, credits: 1.5, occurredAt: "2024-02-30T00:00:00Z" },
      event(2),
      "not an event",
      { ...event(4), occurredAt: "2024-02-29 13:45" }
    ])
    const batch = ok(body)
    assert.deepStrictEqual(batch.indexes, [0, 2])
    assert.deepStrictEqual(
      batch.problems.map((p) => `${p.index}:${p.field}`),
      ["1:id", "1:requests", "1:credits", "1:occurredAt", "3:", "4:occurredAt"]
    )
    const error = invalidBatch(batch.problems)
    assert.strictEqual(error.message, "3 events of the batch are invalid; nothing was stored")
  })

  it("refuses instants of days and hours that do not exist", () => {
    const times = ["2023-02-29T10:00:00Z", "2024-04-31T10:00:00Z", "2024-02-29T24:00:00Z", "2024-02-29T23:59:59+01:00"]
    const batch = ok(JSON.stringify(times.map((occurredAt, i) => ({ ...event(i), occurredAt }))))
    assert.deepStrictEqual(
      batch.problems.map((p) => `${p.index}:${p.field}`),
      ["0:occurredAt", "1:occurredAt", "2:occurredAt"]
    )
    assert.deepStrictEqual(batch.indexes, [3])
  })

  it("reports an unparseable NDJSON line as a problem of that event, with its line", () => {
    const body = [JSON.stringify(event(0)), "{not json", "", JSON.stringify({ ...event(2), id: "" })].join("\n")
    const batch = ok(body, "ndjson")
    assert.deepStrictEqual(
      batch.problems.map((p) => [p.index, p.field, p.message]),
      [
        [1, "", "line 2 is not valid JSON"],
        [2, "id", "1 to 255 characters, no control characters, no surrounding white space"]
      ]
    )
  })

  it("refuses a body that is not a JSON array", () => {
    for (const body of ["", "{", JSON.stringify(event(0))]) {
      const error = failure(body)
      assert.strictEqual(error._tag, "OperatorInvalid")
      if (error._tag === "OperatorInvalid") assert.strictEqual(error.problems[0]?.index, wholeRequest)
    }
  })

  it("refuses more than the batch limit, as JSON and as NDJSON", () => {
    const events = Array.from({ length: maxEventsPerBatch + 1 }, (_, i) => event(i))
    const json = failure(JSON.stringify(events))
    assert.strictEqual(json._tag, "OperatorBatchTooLarge")
    const ndjson = failure(events.map((e) => JSON.stringify(e)).join("\n"), "ndjson")
    assert.strictEqual(ndjson._tag, "OperatorBatchTooLarge")
    assert.strictEqual(ok(JSON.stringify(events.slice(1))).events.length, maxEventsPerBatch)
  })

  it("refuses a body that is not UTF-8", () => {
    assert.isTrue(Result.isFailure(decodeUtf8(new Uint8Array([0x5b, 0xff, 0x5d]).buffer)))
    assert.deepStrictEqual(decodeUtf8(new TextEncoder().encode("[]").buffer), Result.succeed("[]"))
  })
})
