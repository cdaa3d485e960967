import { assert, describe, it } from "@effect/vitest"
import {
  clientAddressOf,
  normalizeAddress,
  parseTrustProxy,
  type TrustProxy,
  trustNoProxy
} from "../src/ClientAddress.js"

const trust = (text: string): TrustProxy => {
  const parsed = parseTrustProxy(text)
  if (parsed._tag === "Invalid") return assert.fail(parsed.message)
  return parsed
}

describe("parseTrustProxy", () => {
  it("reads nothing, a hop count, true as one hop, or addresses and CIDRs", () => {
    for (const text of ["", "false", "0", "off"]) assert.strictEqual(trust(text)._tag, "None")
    assert.deepStrictEqual(trust("2"), { _tag: "Hops", hops: 2 })
    assert.deepStrictEqual(trust("true"), { _tag: "Hops", hops: 1 })
    const proxies = trust(" 10.0.0.0/8, 192.0.2.1 , fd00::/8, ::ffff:198.51.100.1")
    assert.strictEqual(proxies._tag, "Proxies")
    if (proxies._tag === "Proxies") {
      assert.deepStrictEqual(proxies.ranges, ["10.0.0.0/8", "192.0.2.1/32", "fd00::/8", "198.51.100.1/32"])
    }
  })

  it("refuses what is not a hop count, an address or a CIDR, naming TRUST_PROXY", () => {
    for (const text of ["17", "10.0.0.0/33", "10.0.0.0/x", "proxy.example", "fd00::/129", "1.2.3"]) {
      const parsed = parseTrustProxy(text)
      assert.strictEqual(parsed._tag, "Invalid", text)
      if (parsed._tag === "Invalid") assert.include(parsed.message, "TRUST_PROXY")
    }
  })
})

describe("normalizeAddress", () => {
  it("drops an IPv4-mapped prefix, brackets and ports, and refuses what is not an IP", () => {
    assert.strictEqual(normalizeAddress("::ffff:192.0.2.1"), "192.0.2.1")
    assert.strictEqual(normalizeAddress(" 192.0.2.1:8080 "), "192.0.2.1")
    assert.strictEqual(normalizeAddress("[2001:DB8::1]:443"), "2001:db8::1")
    assert.strictEqual(normalizeAddress("2001:db8::1"), "2001:db8::1")
    assert.isUndefined(normalizeAddress("unknown"))
    assert.isUndefined(normalizeAddress(""))
  })
})

describe("clientAddressOf", () => {
  it("is the socket's address without trust, whatever X-Forwarded-For says", () => {
    assert.strictEqual(clientAddressOf(trustNoProxy, "192.0.2.9", "203.0.113.1"), "192.0.2.9")
    assert.strictEqual(clientAddressOf(trustNoProxy, undefined, undefined), "")
  })

  it("with hops, takes the Nth entry from the right; a spoofed first entry changes nothing", () => {
    const one = trust("1")
    assert.strictEqual(clientAddressOf(one, "10.0.0.1", "203.0.113.7"), "203.0.113.7")
    for (let i = 0; i < 25; i++) {
      assert.strictEqual(clientAddressOf(one, "10.0.0.1", `198.51.100.${i}, 203.0.113.7`), "203.0.113.7")
    }
    const two = trust("2")
    assert.strictEqual(clientAddressOf(two, "10.0.0.1", "6.6.6.6, 203.0.113.7, 10.0.0.2"), "203.0.113.7")
    assert.strictEqual(clientAddressOf(two, "10.0.0.1", "203.0.113.7"), "203.0.113.7")
    assert.strictEqual(clientAddressOf(one, "10.0.0.1", undefined), "10.0.0.1")
  })

  it("with proxies, takes the rightmost entry no trusted proxy wrote", () => {
    const proxies = trust("10.0.0.0/8, 127.0.0.1")
    assert.strictEqual(clientAddressOf(proxies, "127.0.0.1", "6.6.6.6, 203.0.113.7, 10.1.2.3"), "203.0.113.7")
    assert.strictEqual(clientAddressOf(proxies, "::ffff:127.0.0.1", "203.0.113.7"), "203.0.113.7")
    // Every entry a proxy: the leftmost.
    assert.strictEqual(clientAddressOf(proxies, "127.0.0.1", "10.0.0.5, 10.0.0.6"), "10.0.0.5")
    // A socket that is no trusted proxy is the client, whatever it forwards.
    assert.strictEqual(clientAddressOf(proxies, "203.0.113.9", "10.0.0.5"), "203.0.113.9")
    // Joined repeated headers read as one list.
    assert.strictEqual(clientAddressOf(proxies, "127.0.0.1", "6.6.6.6, 203.0.113.8, 10.0.0.7"), "203.0.113.8")
    // Garbage the nearest proxy passed on is the key itself, not skipped.
    assert.strictEqual(clientAddressOf(proxies, "127.0.0.1", "203.0.113.1, junk"), "junk")
  })
})
