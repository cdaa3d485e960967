import { assert, describe, it } from "@effect/vitest"
import { declaredEncoding, maxDepth, position, scan, XmlSyntaxError } from "../../src/internal/xmlScanner.js"

const syntaxError = (s: string): XmlSyntaxError => {
  try {
    scan(s)
  } catch (e) {
    assert.instanceOf(e, XmlSyntaxError)
    return e as XmlSyntaxError
  }
  return assert.fail(`expected a syntax error for ${JSON.stringify(s)}`)
}

describe("scan", () => {
  it("reads elements, trimmed text, entities, character references and CDATA", () => {
    const root = scan(
      '\ufeff<?xml version="1.0" encoding="ISO-8859-1"?>\n<!-- c --><r a="1"><p> x &amp; &#65;&#x42; </p><q><![CDATA[ <raw> ]]></q><e/></r>\n'
    )
    assert.strictEqual(root.name, "r")
    assert.deepStrictEqual(
      root.children.map((c) => [c.name, c.text]),
      [
        ["p", "x & AB"],
        ["q", " <raw> "],
        ["e", ""]
      ]
    )
  })

  it("keeps whitespace written as a reference and turns CR LF into LF", () => {
    assert.strictEqual(scan("<a>&#32;x&#10;</a>").text, " x\n")
    assert.strictEqual(scan("<a>x\r\ny\rz</a>").text, "x\ny\nz")
  })

  it("refuses declarations, bad nesting, truncation and content after the root, saying where", () => {
    assert.include(syntaxError('<!DOCTYPE a [<!ENTITY x "y">]><a/>').reason, "DOCTYPE")
    assert.include(syntaxError("<a></b>").reason, "does not match")
    assert.include(syntaxError("<a><b>").reason, "unexpected end of document")
    assert.strictEqual(syntaxError("<a/><b/>").reason, "content after the root element")
    assert.strictEqual(syntaxError("").reason, "no root element")
    assert.strictEqual(syntaxError("x<a/>").reason, "text before the root element")
    const deep = `${"<a>".repeat(maxDepth + 1)}${"</a>".repeat(maxDepth + 1)}`
    assert.include(syntaxError(deep).reason, `deeper than ${maxDepth}`)
    assert.doesNotThrow(() => scan(`${"<a>".repeat(maxDepth)}${"</a>".repeat(maxDepth)}`))
  })
})

describe("declaredEncoding", () => {
  it("reads the encoding of the declaration, if any", () => {
    assert.strictEqual(declaredEncoding('<?xml version="1.0" encoding="ISO-8859-1"?><a/>'), "ISO-8859-1")
    assert.strictEqual(declaredEncoding("\ufeff<?xml version='1.0' encoding='utf-8' standalone='yes'?>"), "utf-8")
    assert.isUndefined(declaredEncoding('<?xml version="1.0"?><a/>'))
    assert.isUndefined(declaredEncoding("<a/>"))
  })
})

describe("position", () => {
  it("gives the line and column of an offset", () => {
    assert.strictEqual(position("ab\ncd", 0), "line 1, column 1")
    assert.strictEqual(position("ab\ncd", 4), "line 2, column 2")
  })
})
