import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import {
  allocate,
  charsetOf,
  decodeLatin1,
  decodeUtf8,
  encodeAscii,
  encodeLatin1,
  encodeUtf8,
  isAscii,
  isXmlChar,
  show,
  toWellFormed,
  trimWhitespace
} from "../../src/internal/text.js"

describe("trimWhitespace", () => {
  it("trims spaces, tabs, CR and LF only", () => {
    assert.strictEqual(trimWhitespace(" \t\r\nx y\n "), "x y")
    assert.strictEqual(trimWhitespace("\u00a0x\u000b"), "\u00a0x\u000b")
    const s = "kept"
    assert.strictEqual(trimWhitespace(s), s)
  })
})

describe("charsets", () => {
  it("names UTF-8 and ISO-8859-1 by their labels, case-insensitively, and nothing else", () => {
    assert.strictEqual(charsetOf(" UTF-8 "), "utf-8")
    assert.strictEqual(charsetOf("ISO_8859-1:1987"), "latin1")
    assert.strictEqual(charsetOf("US-ASCII"), "latin1")
    assert.isUndefined(charsetOf("utf-16"))
    assert.isUndefined(charsetOf("toString"))
  })

  it("decodes UTF-8 strictly and ISO-8859-1 byte for code point", () => {
    assert.strictEqual(decodeUtf8(new Uint8Array([0xc3, 0xb6])), "ö")
    assert.isUndefined(decodeUtf8(new Uint8Array([0xc3, 0x28])))
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i)
    assert.strictEqual(decodeLatin1(bytes), String.fromCharCode(...bytes))
  })

  it("encodes and decodes back", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        assert.strictEqual(decodeUtf8(encodeUtf8(s)), toWellFormed(s))
      })
    )
    const latin = "Gr\u00f6\u00dfe \u00ff"
    assert.strictEqual(decodeLatin1(encodeLatin1(latin)), latin)
    assert.deepStrictEqual(Array.from(encodeAscii("ab")), [0x61, 0x62])
    assert.isTrue(isAscii("abc"))
    assert.isFalse(isAscii("ab\u00e9"))
  })
})

describe("allocate", () => {
  it("gives fresh, separate bytes, small and large", () => {
    const a = allocate(10)
    const b = allocate(10)
    a.fill(1)
    assert.deepStrictEqual(Array.from(b), new Array(10).fill(0))
    assert.strictEqual(allocate(1024 * 1024).byteLength, 1024 * 1024)
  })
})

describe("XML characters, well-formed strings and shown values", () => {
  it("knows XML's Char production", () => {
    assert.isTrue(isXmlChar(0x09))
    assert.isFalse(isXmlChar(0x01))
    assert.isFalse(isXmlChar(0xfffe))
    assert.isTrue(isXmlChar(0x10000))
  })

  it("replaces lone surrogates only", () => {
    assert.strictEqual(toWellFormed("a\ud800b\udc00"), "a\ufffdb\ufffd")
    assert.strictEqual(toWellFormed("\ud83d\ude00"), "\ud83d\ude00")
  })

  it("shows values briefly", () => {
    assert.strictEqual(show("abc"), '"abc"')
    assert.isAtMost(show("x".repeat(100)).length, 40)
    assert.strictEqual(show(1.5), "1.5")
    assert.strictEqual(show(null), "null")
    assert.strictEqual(show([1]), "an array")
    assert.strictEqual(show({}), "an object")
    assert.strictEqual(show(undefined), "undefined")
  })
})
