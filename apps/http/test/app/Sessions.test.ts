import { assert, describe, it } from "@effect/vitest"
import { Option } from "effect"
import type { HttpServerRequest } from "effect/http/HttpServerRequest"
import {
  clientAddress,
  cookieOptions,
  isSameOrigin,
  isSecureRequest,
  operatorKeyHash,
  sameSecret
} from "../../src/app/Sessions.js"

const requestOf = (headers: Record<string, string>, socket: { encrypted?: boolean; remoteAddress?: string } = {}) =>
  ({ headers, source: { socket }, remoteAddress: Option.none(), method: "POST" }) as unknown as HttpServerRequest

describe("Sessions", () => {
  it("marks the cookie Secure over TLS, or behind a trusted proxy that says https", () => {
    assert.isFalse(isSecureRequest(requestOf({}), false))
    assert.isTrue(isSecureRequest(requestOf({}, { encrypted: true }), false))
    assert.isFalse(isSecureRequest(requestOf({ "x-forwarded-proto": "https" }), false), "an untrusted proxy")
    assert.isTrue(isSecureRequest(requestOf({ "x-forwarded-proto": "https" }), true))
    assert.isFalse(isSecureRequest(requestOf({ "x-forwarded-proto": "http" }), true))
    const options = cookieOptions(requestOf({ "x-forwarded-proto": "https" }), true, 60)
    assert.deepStrictEqual(options, {
      httpOnly: true,
      secure: true,
      sameSite: "strict",
      path: "/",
      maxAge: "60 seconds"
    })
  })

  it("accepts the page's own origin only", () => {
    assert.isTrue(isSameOrigin(requestOf({ host: "a.example:3000", origin: "http://a.example:3000" }), false))
    assert.isTrue(isSameOrigin(requestOf({ host: "a.example" }), false), "no Origin: not a browser's cross-site call")
    assert.isFalse(isSameOrigin(requestOf({ host: "a.example", origin: "http://b.example" }), false))
    assert.isFalse(isSameOrigin(requestOf({ host: "a.example", origin: "https://a.example" }), false), "scheme differs")
    assert.isFalse(isSameOrigin(requestOf({ host: "a.example", "sec-fetch-site": "cross-site" }), false))
    assert.isTrue(
      isSameOrigin(
        requestOf({
          host: "internal:3000",
          "x-forwarded-host": "a.example",
          "x-forwarded-proto": "https",
          origin: "https://a.example"
        }),
        true
      )
    )
  })

  it("takes the client address as the wire's throttles do", () => {
    assert.strictEqual(
      clientAddress(requestOf({ "x-forwarded-for": "10.0.0.1, 10.0.0.2" }, { remoteAddress: "127.0.0.1" }), true),
      "10.0.0.1"
    )
    assert.strictEqual(
      clientAddress(requestOf({ "x-forwarded-for": "10.0.0.1" }, { remoteAddress: "127.0.0.1" }), false),
      "127.0.0.1"
    )
  })

  it("compares secrets and keeps no admin token in an operator session", () => {
    assert.isTrue(sameSecret("a", "a"))
    assert.isFalse(sameSecret("a", "ab"))
    assert.notInclude(operatorKeyHash("the-token"), "the-token")
    assert.notStrictEqual(operatorKeyHash("the-token"), operatorKeyHash("another"))
  })
})
