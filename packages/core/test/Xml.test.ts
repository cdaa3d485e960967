import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import { XMLParser } from "fast-xml-parser"
import { DecodeError } from "../src/Errors.js"
import { decodeXml, encodeErrorBodyXml, encodeOverviewXml, escapeXmlText, xmlDeclaration } from "../src/Xml.js"
import { decodingWith, fixture, latin1, seedOverview } from "./arbitraries.js"

const { decoded, overviewOf, errorOf } = decodingWith(decodeXml)

const document = (fields: string, root = "result") =>
  `${xmlDeclaration}\n<${root}><overview>${fields}</overview></${root}>`
const seedFields = (replace: Record<string, string> = {}, extra = "") =>
  [
    ["reputation", "100"],
    ["requests", "50000"],
    ["package", "Silver Package"],
    ["credits_allowed", "50000"],
    ["credits_used", "100000"],
    ["credits_remain", "0"],
    ["credits_overage", "50000"],
    ["billing_start_date", "2010-08-30"],
    ["billing_end_date", "2010-09-29"],
    ["billing_process_date", "2010-09-30"]
  ]
    .filter(([name]) => replace[name!] !== "<absent>")
    .map(([name, value]) => `<${name}>${replace[name!] ?? value}</${name}>`)
    .join("") + extra

describe("golden: the seed's XML samples", () => {
  it("decodes the overview sample", () => {
    assert.deepStrictEqual(overviewOf(fixture("seed-overview.xml")), seedOverview)
  })

  it("encodes the seed overview byte for byte as the sample (up to its closing tag and newline)", () => {
    const sample = latin1(fixture("seed-overview.xml"))
    const encoded = encodeOverviewXml(seedOverview)
    assert.strictEqual(latin1(encoded), `${sample.slice(0, sample.indexOf("</result>") + 9)}\n`)
  })

  it("decodes the error sample, placeholders and all", () => {
    assert.deepStrictEqual(decoded(fixture("seed-error.xml")), {
      _tag: "ErrorBody",
      body: { message: "error", errors: ["... error messages ..."] }
    })
  })

  it("trims values written with a leading space", () => {
    const leading = latin1(fixture("seed-overview.xml")).replace(/>([^<\n]+)</g, "> $1<")
    assert.include(leading, "<reputation> 100</reputation>")
    assert.deepStrictEqual(overviewOf(leading), seedOverview)
    assert.deepStrictEqual(overviewOf(document(seedFields({ package: "\n   Silver Package \t\r\n " }))), seedOverview)
  })
})

describe("encoding", () => {
  it("writes Latin-1 characters as single bytes and others as one reference each", () => {
    const bytes = encodeOverviewXml({ ...seedOverview, package: "Paket Größe 5 — Ü 套 😀" })
    const text = latin1(bytes)
    assert.include(text, "<package>Paket Größe 5 &#8212; Ü &#22871; &#128512;</package>")
    const at = text.indexOf("Gr")
    assert.deepStrictEqual(Array.from(bytes.subarray(at, at + 5)), [0x47, 0x72, 0xf6, 0xdf, 0x65])
    assert.isTrue(bytes.every((b) => b < 0x80 || b >= 0xa0))
  })

  it("escapes markup, CR, C1 controls and whitespace at the edges; replaces what XML cannot carry", () => {
    assert.strictEqual(escapeXmlText(`<&>"'`), `&lt;&amp;&gt;"'`)
    assert.strictEqual(escapeXmlText("]]>"), "]]&gt;")
    assert.strictEqual(escapeXmlText("a\r\nb"), "a&#13;\nb")
    assert.strictEqual(escapeXmlText(" a b\t"), "&#32;a b&#9;")
    assert.strictEqual(escapeXmlText("\n\n"), "&#10;&#10;")
    assert.strictEqual(escapeXmlText("\u007f\u0085\u009f\u00a0"), "&#127;&#133;&#159;\u00a0")
    assert.strictEqual(escapeXmlText("\u0000\u0008\u000b\u001f"), "&#65533;&#65533;&#65533;&#65533;")
    assert.strictEqual(escapeXmlText("\ud800x\udc00\uffff\ufffe"), "&#65533;x&#65533;&#65533;&#65533;")
    assert.strictEqual(escapeXmlText("\ud83d\ude00"), "&#128512;")
    assert.strictEqual(escapeXmlText("plain"), "plain")
  })

  it("writes error bodies in the seed's layout", () => {
    assert.strictEqual(
      latin1(encodeErrorBodyXml(["missing parameter: user", "a <b> & ü"])),
      `${xmlDeclaration}\n\n<result>\n   <message>error</message>\n   <errors>\n` +
        "      <error>missing parameter: user</error>\n      <error>a &lt;b&gt; &amp; \u00fc</error>\n" +
        "   </errors>\n</result>\n"
    )
  })

  it("is read back identically by fast-xml-parser", () => {
    const parser = new XMLParser({ parseTagValue: false, htmlEntities: true, trimValues: false })
    for (const name of ["Paket Größe 5 — Ü", "套餐", "😀 x", `a<&>"'b`, "x\r\ny", "a\u0085b"]) {
      const parsed = parser.parse(latin1(encodeOverviewXml({ ...seedOverview, package: name })))
      assert.strictEqual(parsed.result.overview.package, name)
    }
  })
})

describe("decoding: encodings", () => {
  const withPackage = (encoding: string | undefined, pkg: Array<number>): Uint8Array => {
    const declaration = encoding === undefined ? "" : `<?xml version="1.0" encoding="${encoding}"?>`
    const [before, after] = `${declaration}<result><overview>${seedFields({ package: "@" })}</overview></result>`.split(
      "@"
    )
    return new Uint8Array([...Buffer.from(before!, "latin1"), ...pkg, ...Buffer.from(after!, "latin1")])
  }

  it("reads ISO-8859-1 bytes as their code points (0x80-0x9F too)", () => {
    const bytes = withPackage("ISO-8859-1", [0x47, 0xf6, 0x80, 0x9f, 0xff])
    assert.strictEqual(overviewOf(bytes).package, "G\u00f6\u0080\u009f\u00ff")
    assert.strictEqual(overviewOf(withPackage("latin1", [0xe9])).package, "é")
    assert.strictEqual(overviewOf(withPackage("US-ASCII", [0x41])).package, "A")
  })

  it("reads UTF-8 when declared, and by default", () => {
    const utf8 = [...Buffer.from("Größe 套", "utf8")]
    assert.strictEqual(overviewOf(withPackage("UTF-8", utf8)).package, "Größe 套")
    assert.strictEqual(overviewOf(withPackage(undefined, utf8)).package, "Größe 套")
  })

  it("takes the declaration before the content type's charset, the charset before the default", () => {
    const latin = withPackage("ISO-8859-1", [0xe9])
    assert.strictEqual(overviewOf(latin, "utf-8").package, "é")
    assert.strictEqual(overviewOf(withPackage(undefined, [0xe9]), "iso-8859-1").package, "é")
    assert.deepStrictEqual(
      errorOf(withPackage(undefined, [0xe9])),
      new DecodeError({ path: "", reason: "not valid UTF-8" })
    )
  })

  it("refuses other encodings", () => {
    assert.deepStrictEqual(
      errorOf(withPackage("windows-1252", [0x41])),
      new DecodeError({ path: "", reason: 'unsupported encoding "windows-1252", expected ISO-8859-1 or UTF-8' })
    )
    assert.include(errorOf(withPackage("Shift_JIS", [0x41])).reason, '"Shift_JIS"')
    assert.include(errorOf(withPackage(undefined, [0x41]), "utf-16").reason, '"utf-16"')
    const utf16 = new Uint8Array([0xff, 0xfe, ...Buffer.from("<result/>", "utf16le")])
    assert.include(errorOf(utf16).reason, "UTF-16")
  })

  it("takes a string as already decoded", () => {
    assert.strictEqual(
      overviewOf(
        `<?xml version="1.0" encoding="Shift_JIS"?>${document(seedFields({ package: "套" })).slice(xmlDeclaration.length)}`
      ).package,
      "套"
    )
  })
})

describe("decoding: XML features", () => {
  it("reads references, CDATA, comments, processing instructions and attributes", () => {
    const body = document(
      seedFields({
        package: "<!-- c -->&#x47;&#246;&amp;&lt;&gt;&quot;&apos;<![CDATA[ <raw> & ]]>&#128512;<?pi data?>x"
      })
    ).replace("<overview>", "<overview kind=\"a\" other='b &amp; c'>")
    assert.strictEqual(overviewOf(body).package, `Gö&<>"' <raw> & 😀x`)
  })

  it("keeps whitespace written as references or CDATA, trims the literal one", () => {
    assert.strictEqual(overviewOf(document(seedFields({ package: " \n&#32;a&#9; \n" }))).package, " a\t")
    assert.strictEqual(overviewOf(document(seedFields({ package: "  <![CDATA[ b ]]>  " }))).package, " b ")
  })

  it("normalises literal line ends to LF, but keeps &#13;", () => {
    assert.strictEqual(overviewOf(document(seedFields({ package: "a\r\nb\rc&#13;d" }))).package, "a\nb\nc\rd")
  })

  it("reads an empty element as an empty value", () => {
    assert.strictEqual(overviewOf(document(seedFields({ package: "<absent>" }, "<package/>"))).package, "")
  })

  it("ignores unknown elements and stray text between elements", () => {
    const body = document(seedFields({}, "<future>1</future>junk")).replace(
      "<overview>",
      "text<extra><x/></extra><overview>"
    )
    assert.deepStrictEqual(overviewOf(body), seedOverview)
  })

  it("accepts a BOM, comments and whitespace around the root", () => {
    assert.deepStrictEqual(overviewOf(`\ufeff${document(seedFields())}\n<!-- end -->\n`), seedOverview)
  })
})

describe("decoding: field errors name the field by its wire name", () => {
  const cases: Array<[Record<string, string>, string, string]> = [
    [{ credits_used: "<absent>" }, "credits_used", "missing"],
    [{ credits_used: "1.5" }, "credits_used", "not an integer: 1.5"],
    [{ credits_used: "-1" }, "credits_used", "negative: -1"],
    [{ credits_used: "" }, "credits_used", "empty, expected a non-negative integer"],
    [{ credits_used: "12abc" }, "credits_used", 'not a number: "12abc"'],
    [{ credits_used: "1e400" }, "credits_used", 'not a finite number: "1e400"'],
    [{ credits_used: "9007199254740993" }, "credits_used", "too large, over 9007199254740991: 9007199254740992"],
    [{ requests: "0x10" }, "requests", 'not a number: "0x10"'],
    [{ reputation: "101" }, "reputation", "out of range 0..100: 101"],
    [{ reputation: "-0.5" }, "reputation", "out of range 0..100: -0.5"],
    [{ billing_end_date: "2010-02-30" }, "billing_end_date", 'not a calendar date (YYYY-MM-DD): "2010-02-30"'],
    [{ billing_start_date: "30.08.2010" }, "billing_start_date", 'not a calendar date (YYYY-MM-DD): "30.08.2010"'],
    [{ package: "<absent>" }, "package", "missing"]
  ]
  for (const [replace, path, reason] of cases) {
    it(`${JSON.stringify(replace)} -> ${path}: ${reason}`, () => {
      assert.deepStrictEqual(errorOf(document(seedFields(replace))), new DecodeError({ path, reason }))
    })
  }

  it("accepts numbers written with decimals or exponents when they are integers", () => {
    const o = overviewOf(document(seedFields({ requests: "5e4", credits_used: "100000.0", reputation: " 99.5 " })))
    assert.strictEqual(o.requests, 50000)
    assert.strictEqual(o.creditsUsed, 100000)
    assert.strictEqual(o.reputation, 99.5)
  })

  it("refuses a repeated field, a field with children, a repeated overview", () => {
    assert.deepStrictEqual(
      errorOf(document(seedFields({}, "<requests>1</requests>"))),
      new DecodeError({ path: "requests", reason: "repeated" })
    )
    assert.deepStrictEqual(
      errorOf(document(seedFields({ package: "<b>x</b>" }))),
      new DecodeError({ path: "package", reason: "expected a value, got child elements" })
    )
    const twice = document(seedFields()).replace("</result>", `<overview>${seedFields()}</overview></result>`)
    assert.deepStrictEqual(errorOf(twice), new DecodeError({ path: "overview", reason: "repeated" }))
  })

  it("refuses another root, a success body, a body without overview", () => {
    assert.deepStrictEqual(
      errorOf(document(seedFields(), "response")),
      new DecodeError({ path: "", reason: "root element is <response>, expected <result>" })
    )
    assert.deepStrictEqual(
      errorOf("<result>success</result>"),
      new DecodeError({ path: "overview", reason: 'missing, the body is <result>"success"</result>' })
    )
    assert.deepStrictEqual(
      errorOf("<result><other/></result>"),
      new DecodeError({ path: "overview", reason: "missing" })
    )
  })

  it("checks error bodies", () => {
    assert.deepStrictEqual(
      errorOf("<result><message>success</message></result>"),
      new DecodeError({ path: "message", reason: 'expected "error", got "success"' })
    )
    assert.deepStrictEqual(
      errorOf("<result><message>error</message></result>"),
      new DecodeError({ path: "errors", reason: "missing" })
    )
    assert.deepStrictEqual(
      errorOf("<result><message>error</message><errors></errors></result>"),
      new DecodeError({ path: "errors", reason: "empty, expected at least one message" })
    )
    assert.deepStrictEqual(
      errorOf("<result><message>error</message><errors><error>a</error><error><b/></error></errors></result>"),
      new DecodeError({ path: "errors[1]", reason: "expected a value, got child elements" })
    )
  })
})

describe("decoding: hostile and broken documents", () => {
  const reasonOf = (body: string) => {
    const e = errorOf(body)
    assert.strictEqual(e.path, "")
    return e.reason
  }

  it("refuses a billion-laughs document", () => {
    const lol = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<result><overview><package>&lol9;</package></overview></result>`
    assert.strictEqual(
      reasonOf(lol),
      "DOCTYPE is not allowed (no DTD, no entity declarations), at line 2, column 1 of the XML"
    )
  })

  it("refuses external entities (XXE) and any DOCTYPE", () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE result [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><result><overview><package>&xxe;</package></overview></result>`
    assert.include(reasonOf(xxe), "DOCTYPE is not allowed")
    assert.include(reasonOf(`<!DOCTYPE result><result/>`), "DOCTYPE is not allowed")
    assert.include(reasonOf(`<!-- x --><!DOCTYPE result SYSTEM "http://x/y.dtd"><result/>`), "DOCTYPE is not allowed")
    assert.include(reasonOf(`<result><!ENTITY x "y"></result>`), "markup declarations are not allowed")
  })

  it("expands no entity but the five predefined ones", () => {
    assert.include(reasonOf(document(seedFields({ package: "&nbsp;" }))), "undefined entity &nbsp;")
    assert.include(reasonOf(document(seedFields({ package: "&xxe;" }))), "undefined entity &xxe;")
    assert.include(reasonOf(document(seedFields({ package: "a & b" }))), "malformed reference")
    assert.include(reasonOf(document(seedFields({ package: "&#0;" }))), "does not allow")
    assert.include(reasonOf(document(seedFields({ package: "&#x110000;" }))), "does not allow")
    assert.include(reasonOf(document(seedFields({ package: "&#xD800;" }))), "does not allow")
    assert.include(reasonOf(document(seedFields({ package: "&#12a;" }))), "malformed character reference")
  })

  it("refuses every truncation of a valid document", () => {
    for (const sample of [latin1(fixture("seed-overview.xml")), latin1(fixture("seed-error.xml"))]) {
      const end = sample.indexOf("</result>") + "</result>".length
      for (let n = 0; n < end; n++) {
        const r = decodeXml(sample.slice(0, n))
        assert.isTrue(Result.isFailure(r), `prefix of ${n} characters: ${JSON.stringify(sample.slice(0, n))}`)
      }
      assert.isTrue(Result.isSuccess(decodeXml(sample.slice(0, end))))
    }
  })

  it("refuses deep nesting without recursing", () => {
    const deep = `${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}`
    assert.strictEqual(reasonOf(deep), "elements nested deeper than 32 levels, at line 1, column 97 of the XML")
  })

  it("refuses what is not well-formed", () => {
    const cases: Array<[string, string]> = [
      ["<result><overview></result>", "end tag </result> does not match <overview>"],
      ["<result></result><result></result>", "content after the root element"],
      ["text<result/>", "text before the root element"],
      ["<result>\u0001</result>", "character U+0001 is not allowed in XML"],
      ["<result>\ud800</result>", "lone surrogate"],
      ["<result>a ]]> b</result>", "]]> in character data"],
      ["<result a='1' a='2'/>", "attribute a repeated"],
      ["<result a=1/>", "malformed attribute"],
      ["<result a='<'/>", "< in an attribute value"],
      ["<result><!-- a -- b --></result>", "-- inside a comment"],
      ["<result><?xml version='1.0'?></result>", "XML declaration not at the start"],
      ['<?xml version="2.0"?><result/>', "malformed XML declaration"],
      ["</result>", "end tag without a start tag"],
      ["<1result/>", "invalid name"],
      ["", "no root element"],
      ["  \n ", "no root element"],
      ["<result><![CDATA[x</result>", "unexpected end of document in a CDATA section"]
    ]
    for (const [body, reason] of cases) assert.include(reasonOf(body), reason, JSON.stringify(body))
  })

  it("names the position of the fault", () => {
    assert.strictEqual(
      reasonOf("<result>\n  <overview>\n  </result>"),
      "end tag </result> does not match <overview>, at line 3, column 3 of the XML"
    )
  })

  it("stays strict on huge flat input within the limit", () => {
    const wide = `<result><overview>${"<x/>".repeat(200_000)}</overview></result>`
    assert.deepStrictEqual(errorOf(wide), new DecodeError({ path: "reputation", reason: "missing" }))
  })
})
