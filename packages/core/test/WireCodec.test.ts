import { assert, describe, it } from "@effect/vitest"
import { Redacted, Result } from "effect"
import * as fc from "fast-check"
import { DecodeError } from "../src/Errors.js"
import type { Dialect, Format, Overview } from "../src/Overview.js"
import { decodeRequestParams, encodeRequestParams } from "../src/Params.js"
import {
  contentTypeOf,
  type DecodedResponse,
  decodeOverview,
  decodeResponse,
  defaultMaxBytes,
  encodeErrorBody,
  encodeOverview
} from "../src/WireCodec.js"
import { sanitizeForXml } from "../src/Xml.js"
import { fixture, latin1, overview, packageNames, seedOverview, utf8 } from "./arbitraries.js"

const ok = <A, E>(r: Result.Result<A, E>): A => {
  if (Result.isFailure(r)) assert.fail(`expected a success, got ${String(r.failure)}`)
  return r.success
}
const failure = <A, E>(r: Result.Result<A, E>): E => {
  if (Result.isSuccess(r)) assert.fail(`expected a failure, got ${JSON.stringify(r.success)}`)
  return r.failure
}
const overviewOf = (r: Result.Result<DecodedResponse, DecodeError>): Overview => {
  const decoded = ok(r)
  assert.strictEqual(decoded._tag, "Overview")
  return (decoded as Extract<DecodedResponse, { _tag: "Overview" }>).overview
}

const formats = ["xml", "json"] as const satisfies ReadonlyArray<Format>
const dialects = ["v1", "v2"] as const satisfies ReadonlyArray<Dialect>
const expectedAfter = (format: Format, o: Overview): Overview =>
  format === "xml" ? { ...o, package: sanitizeForXml(o.package) } : o

describe("encode then decode", () => {
  for (const format of formats) {
    for (const dialect of dialects) {
      it(`is the identity for ${format} ${dialect} (XML: what XML can carry)`, () => {
        fc.assert(
          fc.property(overview, (o) => {
            const bytes = encodeOverview(o, format, dialect)
            assert.deepStrictEqual(overviewOf(decodeResponse(bytes, contentTypeOf(format))), expectedAfter(format, o))
            assert.deepStrictEqual(overviewOf(decodeResponse(bytes)), expectedAfter(format, o))
          }),
          { numRuns: 500 }
        )
      })
    }
    it(`keeps the named package names in ${format}`, () => {
      for (const name of packageNames) {
        const o = { ...seedOverview, package: name }
        const back = overviewOf(decodeResponse(encodeOverview(o, format, "v1"), contentTypeOf(format)))
        assert.strictEqual(back.package, format === "xml" ? sanitizeForXml(name) : name, JSON.stringify(name))
      }
    })
    it(`round-trips error bodies in ${format}`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.oneof(fc.constantFrom(...packageNames), fc.string({ unit: "binary" })), {
            minLength: 1,
            maxLength: 4
          }),
          (messages) => {
            const errors = messages as unknown as readonly [string, ...Array<string>]
            const decoded = ok(decodeResponse(encodeErrorBody(errors, format)))
            assert.strictEqual(decoded._tag, "ErrorBody")
            const body = (decoded as Extract<DecodedResponse, { _tag: "ErrorBody" }>).body
            assert.deepStrictEqual(body, {
              message: "error",
              errors: format === "xml" ? messages.map(sanitizeForXml) : messages
            } as never)
          }
        )
      )
    })
  }

  it("sanitizeForXml leaves what XML carries untouched and is idempotent", () => {
    assert.strictEqual(sanitizeForXml("Paket Größe 5 — Ü 套餐 😀 \t\r\n"), "Paket Größe 5 — Ü 套餐 😀 \t\r\n")
    assert.strictEqual(sanitizeForXml("a\u0000b\ud800c\udc00d\uffff"), "a\ufffdb\ufffdc\ufffdd\ufffd")
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => sanitizeForXml(sanitizeForXml(s)) === sanitizeForXml(s))
    )
  })
})

describe("contentTypeOf", () => {
  it("names the format and charset", () => {
    assert.strictEqual(contentTypeOf("json"), "application/json; charset=utf-8")
    assert.strictEqual(contentTypeOf("xml"), "text/xml; charset=ISO-8859-1")
  })
})

describe("decodeResponse: choosing the format", () => {
  const xml = fixture("seed-overview.xml")
  const json = encodeOverview(seedOverview, "json", "v1")

  it("takes it from the content type first", () => {
    assert.deepStrictEqual(overviewOf(decodeResponse(xml, "application/xml")), seedOverview)
    const wrong = failure(decodeResponse(xml, "application/json", { format: "xml" }))
    assert.strictEqual(wrong.reason, "not valid JSON")
  })

  it("then from options.format, then from the first character", () => {
    assert.deepStrictEqual(overviewOf(decodeResponse(json, "text/plain", { format: "json" })), seedOverview)
    assert.deepStrictEqual(overviewOf(decodeResponse(json, "text/html")), seedOverview)
    assert.deepStrictEqual(overviewOf(decodeResponse(`\ufeff \n${utf8(json)}`)), seedOverview)
    assert.deepStrictEqual(overviewOf(decodeResponse(new Uint8Array([0xef, 0xbb, 0xbf, ...json]))), seedOverview)
    assert.deepStrictEqual(overviewOf(decodeResponse(latin1(xml))), seedOverview)
  })

  it("fails when nothing tells it", () => {
    assert.deepStrictEqual(failure(decodeResponse("")), new DecodeError({ path: "", reason: "empty body" }))
    assert.strictEqual(failure(decodeResponse("hello")).reason, "cannot tell the format: neither XML (<) nor JSON ({)")
  })

  it("refuses bodies over maxBytes before parsing", () => {
    const big = new Uint8Array(10 * 1024 * 1024).fill(0x3c)
    assert.deepStrictEqual(
      failure(decodeResponse(big, "text/xml")),
      new DecodeError({ path: "", reason: `body of ${big.length} bytes is over the limit of ${defaultMaxBytes} bytes` })
    )
    assert.strictEqual(failure(decodeResponse(json, undefined, { maxBytes: 100 })).path, "")
    assert.deepStrictEqual(overviewOf(decodeResponse(json, undefined, { maxBytes: json.length })), seedOverview)
    assert.include(failure(decodeResponse("x".repeat(defaultMaxBytes + 1))).reason, "over the limit")
  })
})

describe("decodeOverview", () => {
  it("gives the overview, or a DecodeError carrying the error body's messages", () => {
    assert.deepStrictEqual(ok(decodeOverview(encodeOverview(seedOverview, "json", "v2"))), seedOverview)
    const e = failure(decodeOverview(encodeErrorBody(["User not found"], "xml")))
    assert.deepStrictEqual(e, new DecodeError({ path: "errors", reason: "the body is an error: User not found" }))
  })
})

describe("never throws", () => {
  const valid = [
    encodeOverview(seedOverview, "xml", "v1"),
    encodeOverview(seedOverview, "json", "v1"),
    encodeOverview(seedOverview, "json", "v2"),
    encodeErrorBody(["a", "b"], "xml"),
    encodeErrorBody(["a"], "json")
  ]

  it("on arbitrary bytes and strings", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ unit: "binary", maxLength: 300 })),
        fc.option(fc.constantFrom("text/xml", "application/json", "text/xml; charset=utf-16", "x/y"), {
          nil: undefined
        }),
        (body, contentType) => {
          const r = decodeResponse(body, contentType)
          assert.isTrue(Result.isResult(r))
          if (Result.isFailure(r)) assert.instanceOf(r.failure, DecodeError)
        }
      ),
      { numRuns: 2000 }
    )
  })

  it("on valid bodies with a byte changed, inserted or removed", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...valid),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom("set", "insert", "remove"),
        (body, at, byte, edit) => {
          const i = at % body.length
          const bytes = Array.from(body)
          if (edit === "set") bytes[i] = byte
          else if (edit === "insert") bytes.splice(i, 0, byte)
          else bytes.splice(i, 1)
          const r = decodeResponse(new Uint8Array(bytes))
          if (Result.isFailure(r)) assert.instanceOf(r.failure, DecodeError)
        }
      ),
      { numRuns: 3000 }
    )
  })
})

describe("the codecs together", () => {
  it("encode and decode overviews, error bodies and request parameters", () => {
    const bytes = encodeOverview(seedOverview, "xml", "v2")
    assert.strictEqual(contentTypeOf("xml"), "text/xml; charset=ISO-8859-1")
    assert.deepStrictEqual(overviewOf(decodeResponse(bytes, contentTypeOf("xml"))), seedOverview)
    assert.deepStrictEqual(ok(decodeOverview(bytes)), seedOverview)
    const errors = ok(decodeResponse(encodeErrorBody(["invalid request"], "json")))
    assert.deepStrictEqual(errors, { _tag: "ErrorBody", body: { message: "error", errors: ["invalid request"] } })
    const params = encodeRequestParams({ apiUser: "reseller", apiKey: Redacted.make("s3cret") }, "c@x.org")
    const request = ok(decodeRequestParams(params))
    assert.strictEqual(request.user, "c@x.org")
    assert.strictEqual(Redacted.value(request.apiKey), "s3cret")
  })
})
