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

  it("reads a JSON array in pieces exactly as one JSON.parse reads it (seeded bodies: strings with brackets, commas, quotes and escapes, nesting, white space, broken bodies)", () => {
    // mulberry32: the same bodies on every run.
    let seed = 0x5eed
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
    const pick = <A>(items: ReadonlyArray<A>): A => items[Math.floor(random() * items.length)]!
    const tricky = ['"', "\\", "[", "]", "{", "}", ",", " ", "\n", "é", "\u2028", "😀", "a", '\\"', '\\"']
    const text = () => Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(tricky)).join("")
    const element = (i: number): unknown => {
      const r = random()
      if (r < 0.7) return { ...event(i), id: `${text()}-${i}` }
      if (r < 0.8) return { ...event(i), extra: [text(), { nested: [text(), [[]], {}] }] }
      if (r < 0.9) return pick([null, 1.5e3, true, "plain", text()])
      return [event(i), text()]
    }
    // The reference: one JSON.parse of the whole body, then each value on a line of NDJSON.
    const reference = (body: string) => {
      let value: unknown
      try {
        value = JSON.parse(body)
      } catch {
        return { failure: "the body is not valid JSON" }
      }
      if (!Array.isArray(value)) return { failure: failure(body).message }
      if (value.length > maxEventsPerBatch) return { failure: failure(body).message }
      return { batch: ok(value.map((v) => JSON.stringify(v)).join("\n"), "ndjson") }
    }
    const breakers = ["", ",", "]", "[", "}", '"', "\\", " ", "x", "{"]
    let broken = 0
    for (let n = 0; n < 120; n++) {
      const length = pick([0, 1, 2, 249, 250, 251, 499, 500, 501, 777])
      const values = Array.from({ length }, (_, i) => element(i))
      let body = JSON.stringify(values, null, pick([undefined, 0, 1, "\t", " \r\n "]))
      if (n % 2 === 1) {
        const at = Math.floor(random() * (body.length + 1))
        const cut = random() < 0.5 ? 1 : 0
        body = body.slice(0, at) + pick(breakers) + body.slice(at + cut)
      }
      if (n % 5 === 0) body = `${pick(["", " ", "\n\t"])}${body}${pick(["", " ", "\r\n"])}`
      const expected = reference(body)
      const result = decodeBatch(body, "json")
      if (expected.failure !== undefined) {
        broken++
        assert.isTrue(Result.isFailure(result), `case ${n}: ${body.slice(0, 80)}`)
        if (Result.isFailure(result)) assert.strictEqual(result.failure.message, expected.failure, `case ${n}`)
      } else {
        assert.isTrue(Result.isSuccess(result), `case ${n}: ${body.slice(0, 80)}`)
        if (Result.isSuccess(result)) assert.deepStrictEqual(result.success, expected.batch, `case ${n}`)
      }
    }
    // A trailing comma where a piece ends (after 250 or 500 elements) and other edges of pieces.
    for (const length of [250, 500]) {
      const elements = Array.from({ length }, (_, i) => JSON.stringify(event(i)))
      assert.strictEqual(failure(`[${elements.join(",")},]`).message, "the body is not valid JSON")
      assert.strictEqual(failure(`[${elements.join(",")},,${elements[0]}]`).message, "the body is not valid JSON")
      assert.strictEqual(failure(`[${elements.join(",")}] x`).message, "the body is not valid JSON")
      assert.strictEqual(ok(`[${elements.join(",")}]`).events.length, length)
    }
    // Both kinds of case were met.
    assert.isAbove(broken, 20)
    assert.isBelow(broken, 110)
  })

  it("reads NDJSON in pieces: lines that are not JSON are problems at their positions past each piece's end", () => {
    const lines = Array.from({ length: 600 }, (_, i) => (i % 97 === 5 ? "{not json" : JSON.stringify(event(i))))
    const batch = ok(lines.join("\n"), "ndjson")
    const bad = lines.flatMap((line, i) => (line === "{not json" ? [i] : []))
    assert.deepStrictEqual(
      batch.problems.map((p) => [p.index, p.message]),
      bad.map((i) => [i, `line ${i + 1} is not valid JSON`])
    )
    assert.strictEqual(batch.events.length, 600 - bad.length)
    assert.deepStrictEqual(batch.indexes.slice(-2), [598, 599])
  })
})
