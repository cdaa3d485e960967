import { readFileSync } from "node:fs"
import { assert } from "@effect/vitest"
import { Result } from "effect"
import * as fc from "fast-check"
import { calendarDateFromParts, daysInMonth } from "../src/CalendarDate.js"
import { DecodeError } from "../src/Errors.js"
import type { Overview } from "../src/Overview.js"
import type { DecodedResponse } from "../src/WireCodec.js"

/** Assertion helpers over one decoder (`decodeXml` or `decodeJson`). */
export const decodingWith = (
  decode: (body: Uint8Array | string, charset?: string) => Result.Result<DecodedResponse, DecodeError>
) => {
  const decoded = (body: Uint8Array | string, charset?: string): DecodedResponse => {
    const r = decode(body, charset)
    if (Result.isFailure(r)) assert.fail(`expected a success, got ${r.failure.message}`)
    return r.success
  }
  const overviewOf = (body: Uint8Array | string, charset?: string): Overview => {
    const d = decoded(body, charset)
    assert.strictEqual(d._tag, "Overview")
    return (d as Extract<DecodedResponse, { _tag: "Overview" }>).overview
  }
  const errorOf = (body: Uint8Array | string, charset?: string): DecodeError => {
    const r = decode(body, charset)
    if (Result.isSuccess(r)) assert.fail(`expected a failure, got ${JSON.stringify(r.success)}`)
    assert.instanceOf(r.failure, DecodeError)
    return r.failure
  }
  return { decoded, overviewOf, errorOf }
}

export const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)))

export const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("latin1")
export const utf8 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8")

export const seedOverview: Overview = {
  reputation: 100,
  requests: 50000,
  package: "Silver Package",
  creditsAllowed: 50000,
  creditsUsed: 100000,
  creditsRemain: 0,
  creditsOverage: 50000,
  billingStartDate: calendarDateFromParts({ year: 2010, month: 8, day: 30 }),
  billingEndDate: calendarDateFromParts({ year: 2010, month: 9, day: 29 }),
  billingProcessDate: calendarDateFromParts({ year: 2010, month: 9, day: 30 })
}

export const calendarDate = fc
  .record({ year: fc.integer({ min: 0, max: 9999 }), month: fc.integer({ min: 1, max: 12 }), day: fc.nat() })
  .map(({ day, month, year }) => calendarDateFromParts({ year, month, day: 1 + (day % daysInMonth(year, month)) }))

/** Any UTF-16 code unit, lone surrogates and controls included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c))

export const packageNames = [
  "Silver Package",
  "Paket Größe 5 — Ü",
  "套餐",
  "😀 Emoji 🚀",
  `<&>"'`,
  "]]>",
  "&amp; &#32; &lt;",
  "",
  " leading and trailing ",
  "\ttabs\t",
  "line\nbreak",
  "cr\r\nlf\rcr",
  "nul\u0000and\u0001controls\u001f",
  "c1 \u0080\u0085\u009f del \u007f",
  "lone \ud800 high",
  "lone \udc00 low",
  "reversed \udc00\ud800",
  "\ufffe\uffff nonchars",
  "nbsp\u00a0ÿ",
  "007"
]

export const packageName = fc.oneof(
  fc.constantFrom(...packageNames),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.string({ unit: codeUnit, maxLength: 20 }),
  fc.string({ unit: "binary-ascii", maxLength: 20 })
)

const count = fc.oneof(fc.nat(), fc.maxSafeNat(), fc.constantFrom(0, 1, Number.MAX_SAFE_INTEGER))

export const overview: fc.Arbitrary<Overview> = fc.record({
  reputation: fc.oneof(
    fc.integer({ min: 0, max: 100 }),
    fc.double({ min: 0, max: 100, noNaN: true }).map((x) => (x === 0 ? 0 : x))
  ),
  requests: count,
  package: packageName,
  creditsAllowed: count,
  creditsUsed: count,
  creditsRemain: count,
  creditsOverage: count,
  billingStartDate: calendarDate,
  billingEndDate: calendarDate,
  billingProcessDate: calendarDate
})
