import { assert, describe, it } from "@effect/vitest"
import { bodyParams, isSupportedMediaType } from "../../src/wire/Body.js"

describe("bodyParams", () => {
  it("passes a form body through as text", () => {
    assert.strictEqual(
      bodyParams("application/x-www-form-urlencoded; charset=utf-8", Buffer.from("a=1&user=x%40y")),
      "a=1&user=x%40y"
    )
  })

  it("re-encodes the fields of a multipart body", () => {
    const body = Buffer.from(
      [
        "--XyZ",
        'Content-Disposition: form-data; name="api_user"',
        "",
        "demo",
        "--XyZ",
        'Content-Disposition: form-data; name="user"',
        "",
        "Größe&more",
        "--XyZ--",
        ""
      ].join("\r\n")
    )
    const params = bodyParams("multipart/form-data; boundary=XyZ", body)
    assert.strictEqual(params, "api_user=demo&user=Gr%C3%B6%C3%9Fe%26more")
  })

  it("refuses a malformed multipart body and other media types", () => {
    const truncated = bodyParams(
      "multipart/form-data; boundary=XyZ",
      Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n1')
    )
    assert.deepStrictEqual(typeof truncated === "string" ? truncated : truncated._tag, "Malformed")
    const noBoundary = bodyParams("multipart/form-data", Buffer.from("x"))
    assert.deepStrictEqual(typeof noBoundary === "string" ? noBoundary : noBoundary._tag, "Malformed")
    assert.deepStrictEqual(bodyParams("application/json", Buffer.from("{}")), { _tag: "UnsupportedMediaType" })
    assert.deepStrictEqual(bodyParams(undefined, Buffer.from("a=1")), { _tag: "UnsupportedMediaType" })
    assert.strictEqual(bodyParams(undefined, Buffer.alloc(0)), "")
  })

  it("knows the media types that carry parameters", () => {
    assert.isTrue(isSupportedMediaType(undefined))
    assert.isTrue(isSupportedMediaType("Application/X-WWW-Form-Urlencoded"))
    assert.isTrue(isSupportedMediaType("multipart/form-data; boundary=a"))
    assert.isFalse(isSupportedMediaType("text/plain"))
  })
})
