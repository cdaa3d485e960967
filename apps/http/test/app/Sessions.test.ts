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
import { parseTrustProxy, type TrustProxy, trustNoProxy } from "../../src/ClientAddress.js"

const oneHop: TrustProxy = { _tag: "Hops", hops: 1 }
const twoHops: TrustProxy = { _tag: "Hops", hops: 2 }
const local = parseTrustProxy("127.0.0.1/32") as TrustProxy

const requestOf = (headers: Record<string, string>, socket: { encrypted?: boolean; remoteAddress?: string } = {}) =>
  ({ headers, source: { socket }, remoteAddress: Option.none(), method: "POST" }) as unknown as HttpServerRequest

describe("Sessions", () => {
  it("marks the cookie Secure over TLS, or behind a trusted proxy that says https", () => {
    assert.isFalse(isSecureRequest(requestOf({}), trustNoProxy))
    assert.isTrue(isSecureRequest(requestOf({}, { encrypted: true }), trustNoProxy))
    assert.isFalse(isSecureRequest(requestOf({ "x-forwarded-proto": "https" }), trustNoProxy), "an untrusted proxy")
    assert.isTrue(isSecureRequest(requestOf({ "x-forwarded-proto": "https" }), oneHop))
    assert.isFalse(isSecureRequest(requestOf({ "x-forwarded-proto": "http" }), oneHop))
    assert.isTrue(isSecureRequest(requestOf({ "x-forwarded-proto": "https" }, { remoteAddress: "127.0.0.1" }), local))
    assert.isFalse(
      isSecureRequest(requestOf({ "x-forwarded-proto": "https" }, { remoteAddress: "192.0.2.9" }), local),
      "a peer outside TRUST_PROXY's list"
    )
    const options = cookieOptions(requestOf({ "x-forwarded-proto": "https" }), oneHop, 60)
    assert.deepStrictEqual(options, {
      httpOnly: true,
      secure: true,
      sameSite: "strict",
      path: "/",
      maxAge: "60 seconds"
    })
  })

  it("accepts the page's own origin only", () => {
    assert.isTrue(isSameOrigin(requestOf({ host: "a.example:3000", origin: "http://a.example:3000" }), trustNoProxy))
    assert.isTrue(
      isSameOrigin(requestOf({ host: "a.example" }), trustNoProxy),
      "no Origin: not a browser's cross-site call"
    )
    assert.isFalse(isSameOrigin(requestOf({ host: "a.example", origin: "http://b.example" }), trustNoProxy))
    assert.isFalse(
      isSameOrigin(requestOf({ host: "a.example", origin: "https://a.example" }), trustNoProxy),
      "scheme differs"
    )
    assert.isFalse(isSameOrigin(requestOf({ host: "a.example", "sec-fetch-site": "cross-site" }), trustNoProxy))
    assert.isTrue(
      isSameOrigin(
        requestOf({
          host: "internal:3000",
          "x-forwarded-host": "a.example",
          "x-forwarded-proto": "https",
          origin: "https://a.example"
        }),
        oneHop
      )
    )
  })

  it("takes the client address as the wire's throttles do", () => {
    assert.strictEqual(
      clientAddress(requestOf({ "x-forwarded-for": "10.0.0.1, 10.0.0.2" }, { remoteAddress: "127.0.0.1" }), twoHops),
      "10.0.0.1"
    )
    assert.strictEqual(
      clientAddress(requestOf({ "x-forwarded-for": "10.0.0.1" }, { remoteAddress: "127.0.0.1" }), trustNoProxy),
      "127.0.0.1"
    )
    assert.strictEqual(
      clientAddress(requestOf({ "x-forwarded-for": "10.0.0.1, 10.0.0.2" }, { remoteAddress: "127.0.0.1" }), oneHop),
      "10.0.0.2",
      "one hop: the entry the proxy wrote, not the client's own"
    )
    assert.strictEqual(
      clientAddress(requestOf({ "x-forwarded-for": "10.0.0.1" }, { remoteAddress: "192.0.2.9" }), local),
      "192.0.2.9",
      "a peer outside TRUST_PROXY's list is the client"
    )
  })

  it("compares secrets and keeps no admin token in an operator session", () => {
    assert.isTrue(sameSecret("a", "a"))
    assert.isFalse(sameSecret("a", "ab"))
    assert.notInclude(operatorKeyHash("the-token"), "the-token")
    assert.notStrictEqual(operatorKeyHash("the-token"), operatorKeyHash("another"))
  })
})
