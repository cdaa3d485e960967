import { assert, describe, it } from "@effect/vitest"
import { bodyEncodingOf, bodyParams, isBodyProblem } from "../../src/wire/Body.js"

const paramsOf = (contentType: string | undefined, body: Buffer) => bodyParams(bodyEncodingOf(contentType), body)
const tagOf = (params: ReturnType<typeof paramsOf>) => (isBodyProblem(params) ? params._tag : params)

describe("bodyParams", () => {
  it("passes a form body through as text", () => {
    assert.strictEqual(
      paramsOf("application/x-www-form-urlencoded; charset=utf-8", Buffer.from("a=1&user=x%40y")),
      "a=1&user=x%40y"
    )
  })

  it("gives the fields of a multipart body as name/value pairs, not encoded again", () => {
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
    const params = paramsOf("multipart/form-data; boundary=XyZ", body)
    assert.deepStrictEqual(params, [
      ["api_user", "demo"],
      ["user", "Größe&more"]
    ])
  })

  it("refuses a malformed multipart body and other media types", () => {
    const truncated = paramsOf(
      "multipart/form-data; boundary=XyZ",
      Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n1')
    )
    assert.deepStrictEqual(tagOf(truncated), "Malformed")
    const noBoundary = paramsOf("multipart/form-data", Buffer.from("x"))
    assert.deepStrictEqual(tagOf(noBoundary), "Malformed")
    assert.deepStrictEqual(paramsOf("text/plain", Buffer.from("{}")), { _tag: "UnsupportedMediaType" })
    assert.deepStrictEqual(paramsOf("application/xml", Buffer.from("<a/>")), { _tag: "UnsupportedMediaType" })
    assert.deepStrictEqual(paramsOf(undefined, Buffer.from("a=1")), { _tag: "UnsupportedMediaType" })
    assert.strictEqual(paramsOf(undefined, Buffer.alloc(0)), "")
  })

  it("knows the media types that carry parameters", () => {
    assert.isTrue(bodyEncodingOf(undefined) !== undefined)
    assert.isTrue(bodyEncodingOf("Application/X-WWW-Form-Urlencoded") !== undefined)
    assert.isTrue(bodyEncodingOf("multipart/form-data; boundary=a") !== undefined)
    assert.isFalse(bodyEncodingOf("text/plain") !== undefined)
    assert.deepStrictEqual(bodyEncodingOf(" Multipart/Form-Data ; boundary=a"), {
      _tag: "Multipart",
      contentType: " Multipart/Form-Data ; boundary=a"
    })
    assert.deepStrictEqual(bodyEncodingOf("application/x-www-form-urlencoded;charset=latin1"), {
      _tag: "Form",
      charset: "latin1"
    })
    assert.deepStrictEqual(bodyEncodingOf(undefined), { _tag: "None" })
  })

  it("reads a JSON object's members as name/value pairs; a blank JSON body has none", () => {
    assert.deepStrictEqual(
      paramsOf("application/json", Buffer.from('{"api_user":"demo","task":"overview","user":"Größe@x","n":[1]}')),
      [
        ["api_user", "demo"],
        ["task", "overview"],
        ["user", "Größe@x"]
      ]
    )
    assert.strictEqual(paramsOf("application/json; charset=UTF-8", Buffer.from("{}")), "")
    assert.strictEqual(paramsOf("application/json", Buffer.alloc(0)), "")
    const invalid = paramsOf("application/json", Buffer.from('{"user":true}'))
    assert.isTrue(isBodyProblem(invalid) && invalid._tag === "Invalid")
    if (isBodyProblem(invalid) && invalid._tag === "Invalid") {
      assert.deepStrictEqual(invalid.error.messages, ["parameter user must be a string or a number"])
    }
  })

  it("reads a form body in its declared charset: UTF-8 by default, ISO-8859-1 on request, others refused", () => {
    const latin1 = Buffer.concat([Buffer.from("user=J"), Buffer.from([0xfc]), Buffer.from("rgen%E9%40x&a=%25%2B")])
    assert.strictEqual(
      paramsOf("application/x-www-form-urlencoded; charset=ISO-8859-1", latin1),
      "user=J\u00fcrgen%C3%A9%40x&a=%25%2B"
    )
    assert.strictEqual(
      paramsOf('application/x-www-form-urlencoded; charset="utf-8"', Buffer.from("u=%C3%A9")),
      "u=%C3%A9"
    )
    assert.deepStrictEqual(bodyEncodingOf("application/x-www-form-urlencoded; charset=KOI8-R"), {
      _tag: "UnsupportedCharset",
      charset: "KOI8-R"
    })
    assert.deepStrictEqual(bodyEncodingOf("application/json; charset=utf-16"), {
      _tag: "UnsupportedCharset",
      charset: "utf-16"
    })
    assert.deepStrictEqual(bodyEncodingOf("multipart/form-data; boundary=a; charset=koi8-r"), {
      _tag: "Multipart",
      contentType: "multipart/form-data; boundary=a; charset=koi8-r"
    })
  })
})
