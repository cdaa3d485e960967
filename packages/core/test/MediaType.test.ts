import { assert, describe, it } from "@effect/vitest"
import { mediaTypeOf } from "../src/MediaType.js"
import { contentTypeOf } from "../src/WireCodec.js"

describe("mediaTypeOf", () => {
  it("names the format and charset", () => {
    assert.deepStrictEqual(mediaTypeOf(contentTypeOf("xml")), {
      essence: "text/xml",
      format: "xml",
      charset: "ISO-8859-1"
    })
    assert.deepStrictEqual(mediaTypeOf("Application/Problem+JSON"), {
      essence: "application/problem+json",
      format: "json",
      charset: undefined
    })
    assert.deepStrictEqual(mediaTypeOf('application/xml; q=1; charset="utf-8"'), {
      essence: "application/xml",
      format: "xml",
      charset: "utf-8"
    })
    assert.deepStrictEqual(mediaTypeOf("text/html"), { essence: "text/html", format: undefined, charset: undefined })
  })

  it("gives the essence trimmed and in lower case, blank for a blank header", () => {
    assert.strictEqual(mediaTypeOf(" Multipart/Form-Data ; boundary=XyZ").essence, "multipart/form-data")
    assert.strictEqual(
      mediaTypeOf("application/x-www-form-urlencoded;charset=utf-8").essence,
      "application/x-www-form-urlencoded"
    )
    assert.deepStrictEqual(mediaTypeOf(""), { essence: "", format: undefined, charset: undefined })
    assert.deepStrictEqual(mediaTypeOf(" ; charset=latin1"), { essence: "", format: undefined, charset: "latin1" })
  })

  it("answers the same for a cached header, and for headers past the cache", () => {
    const header = "application/x-ndjson; charset=utf-8"
    assert.strictEqual(mediaTypeOf(header), mediaTypeOf(header))
    for (let i = 0; i < 100; i++) assert.strictEqual(mediaTypeOf(`text/x-${i}`).essence, `text/x-${i}`)
    const long = `application/json; x=${"a".repeat(300)}`
    assert.deepStrictEqual(mediaTypeOf(long), { essence: "application/json", format: "json", charset: undefined })
  })
})
