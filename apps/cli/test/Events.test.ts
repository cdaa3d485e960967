import { assert, describe, it } from "@effect/vitest"
import { CsvHeaderError, formatOfFirstLine, formatOfPath, type Parsed, parseEvents } from "../src/Events.js"
import type { NumberedLine } from "../src/Stdin.js"

async function* numbered(text: string): AsyncGenerator<NumberedLine> {
  let number = 0
  for (const line of text.split("\n")) yield { number: ++number, text: line }
}

const collect = async (text: string, format?: "csv" | "ndjson"): Promise<Array<Parsed>> => {
  const all: Array<Parsed> = []
  for await (const p of parseEvents(numbered(text), format)) all.push(p)
  return all
}

describe("Events", () => {
  it("guesses the format from the extension, then from the first line", () => {
    assert.strictEqual(formatOfPath("events.CSV"), "csv")
    assert.strictEqual(formatOfPath("events.ndjson"), "ndjson")
    assert.strictEqual(formatOfPath("events.jsonl"), "ndjson")
    assert.strictEqual(formatOfPath("events.txt"), undefined)
    assert.strictEqual(formatOfFirstLine('  {"id":"1"}'), "ndjson")
    assert.strictEqual(formatOfFirstLine("id,user,requests,credits,occurred_at"), "csv")
  })

  it("reads NDJSON events with their line numbers, taking occurred_at for occurredAt", async () => {
    const parsed = await collect(
      [
        '{"id":"e1","user":"alice","requests":1,"credits":3,"occurredAt":"2024-02-29T13:45:00Z"}',
        "",
        '{"id":"e2","user":"bob","requests":2,"credits":5,"occurred_at":"2024-02-29T14:00:00+01:00"}'
      ].join("\n")
    )
    assert.deepStrictEqual(parsed, [
      {
        _tag: "Event",
        line: 1,
        event: { id: "e1", user: "alice", requests: 1, credits: 3, occurredAt: "2024-02-29T13:45:00Z" }
      },
      {
        _tag: "Event",
        line: 3,
        event: { id: "e2", user: "bob", requests: 2, credits: 5, occurredAt: "2024-02-29T14:00:00+01:00" }
      }
    ])
  })

  it("reports each bad NDJSON line by number and field, and goes on", async () => {
    const parsed = await collect(
      [
        "not json",
        '{"id":"e1","user":"alice","requests":1,"credits":-3,"occurredAt":"2024-02-29T13:45:00Z"}',
        '{"id":"e2","user":"alice","requests":1}',
        "[1]",
        '{"id":"e3","user":"alice","requests":1,"credits":1,"occurredAt":"2024-02-29T13:45:00Z"}'
      ].join("\n"),
      "ndjson"
    )
    assert.strictEqual(parsed.length, 5)
    const [a, b, c, d, e] = parsed
    assert.strictEqual(a?._tag, "Bad")
    assert.match(a?._tag === "Bad" ? a.reason : "", /^not JSON/)
    assert.deepStrictEqual(b, { _tag: "Bad", line: 2, reason: "credits: Expected a value greater than or equal to 0" })
    assert.deepStrictEqual(c, { _tag: "Bad", line: 3, reason: "credits: missing; occurredAt: missing" })
    assert.deepStrictEqual(d, { _tag: "Bad", line: 4, reason: "expected a JSON object" })
    assert.strictEqual(e?._tag, "Event")
  })

  it("reads CSV by its header, in any column order, with quoted fields over several lines (numbered by their first)", async () => {
    const parsed = await collect(
      [
        "user,id,credits,requests,occurred_at",
        "alice,e1,3,1,2024-02-29T13:45:00Z",
        '"bob, jr",e2,5,2,2024-02-29T13:45:00Z',
        '"multi',
        'line",e3,1,1,2024-02-29T13:45:00Z',
        "carol,e4,x,1,2024-02-29T13:45:00Z"
      ].join("\n")
    )
    assert.deepStrictEqual(
      parsed.map((p) => (p._tag === "Event" ? [p.line, p.event.user, p.event.credits] : [p.line, p.reason])),
      [
        [2, "alice", 3],
        [3, "bob, jr", 5],
        [4, "user: 1 to 255 characters, no control characters, no surrounding white space"],
        [6, "credits: Expected number"]
      ]
    )
  })

  it("reports occurred_at under its CSV name", async () => {
    const parsed = await collect(["id,user,requests,credits,occurred_at", "e1,alice,1,1,yesterday"].join("\n"), "csv")
    assert.deepStrictEqual(parsed, [
      {
        _tag: "Bad",
        line: 2,
        reason: "occurred_at: an RFC 3339 timestamp with an offset, such as 2024-02-29T13:45:00Z"
      }
    ])
  })

  it("refuses a CSV header that lacks a column", async () => {
    let error: unknown
    try {
      await collect(["id,user,credits,occurred_at", "e1,alice,1,2024-02-29T13:45:00Z"].join("\n"), "csv")
    } catch (e) {
      error = e
    }
    assert.instanceOf(error, CsvHeaderError)
    assert.strictEqual(
      (error as Error).message,
      "line 1: the CSV header must name the columns id,user,requests,credits,occurred_at; it lacks requests"
    )
  })

  it("reports a quoted field that is never closed", async () => {
    const parsed = await collect(["id,user,requests,credits,occurred_at", 'e1,"alice,1,1,x'].join("\n"), "csv")
    assert.deepStrictEqual(parsed, [{ _tag: "Bad", line: 2, reason: "a quoted field is never closed" }])
  })
})
