import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import { DecodeError } from "../src/Errors.js"
import { decodeJson, encodeErrorBodyJson, encodeOverviewJson } from "../src/Json.js"
import { decodingWith, fixture, seedOverview, utf8 } from "./arbitraries.js"

const { decoded, overviewOf, errorOf } = decodingWith(decodeJson)

const v1Seed =
  '{"reputation":100,"requests":50000,"package":"Silver Package","credits_allowed":50000,"credits_used":100000,' +
  '"credits_remain":0,"credits_overage":50000,"billing_start_date":"2010-08-30","billing_end_date":"2010-09-29",' +
  '"billing_process_date":"2010-09-30"}'
const v2Seed =
  '{"reputation":"100","requests":"50000","package":"Silver Package","credits_allowed":"50000","credits_used":"100000",' +
  '"credits_remain":0,"credits_overage":"50000","billing_start_date":"2010-08-30","billing_end_date":"2010-09-29",' +
  '"billing_process_date":"2010-09-30"}'
const v2Sample = `{
  "reputation": "100",
  "requests": "500000",
  "package": "Silver Package",
  "credits_allowed": "50000",
  "credits_used": "100000",
  "credits_remain": 0,
  "credits_overage": "50000",
  "billing_start_date": "2010-08-30",
  "billing_end_date": "2010-09-29",
  "billing_process_date": "2010-09-30"
}`
const withField = (name: string, json: string | undefined) => {
  const o = JSON.parse(v1Seed) as Record<string, unknown>
  if (json === undefined) delete o[name]
  const text = JSON.stringify(o)
  return json === undefined ? text : text.replace(new RegExp(`"${name}":("[^"]*"|[^,}]*)`), `"${name}":${json}`)
}

describe("golden: the seed's JSON samples", () => {
  it("decodes the success sample as printed: no braces, a line break inside the package name", () => {
    const sample = fixture("seed-overview-json.txt")
    assert.include(utf8(sample), '"package":"Silver\nPackage"')
    assert.isFalse(utf8(sample).trimStart().startsWith("{"))
    assert.deepStrictEqual(overviewOf(sample), { ...seedOverview, requests: 500000 })
  })

  it("decodes the v2 sample: numeric strings, credits_remain a number", () => {
    assert.deepStrictEqual(overviewOf(v2Sample), { ...seedOverview, requests: 500000 })
  })

  it("decodes the error sample", () => {
    assert.deepStrictEqual(decoded(fixture("seed-error-json.txt")), {
      _tag: "ErrorBody",
      body: { message: "error", errors: ["...error messages..."] }
    })
  })
})

describe("encoding", () => {
  it("writes v1 with numbers, v2 with numeric strings but credits_remain, in wire order", () => {
    assert.strictEqual(utf8(encodeOverviewJson(seedOverview, "v1")), v1Seed)
    assert.strictEqual(utf8(encodeOverviewJson(seedOverview, "v2")), v2Seed)
  })

  it("writes the package as a JSON string in UTF-8", () => {
    const bytes = encodeOverviewJson({ ...seedOverview, package: 'Größe "套" \n\u0000 \ud800' }, "v1")
    assert.include(utf8(bytes), '"package":"Größe \\"套\\" \\n\\u0000 \\ud800"')
    assert.deepStrictEqual(
      Array.from(bytes.subarray(utf8(bytes).indexOf("Gr") + 2, utf8(bytes).indexOf("Gr") + 4)),
      [0xc3, 0xb6]
    )
  })

  it("writes error bodies", () => {
    assert.strictEqual(utf8(encodeErrorBodyJson(["a", 'b "c"'])), '{"message":"error","errors":["a","b \\"c\\""]}')
  })
})

describe("decoding", () => {
  it("takes numbers or numeric strings with whitespace around them, in either dialect", () => {
    assert.deepStrictEqual(overviewOf(v1Seed), seedOverview)
    assert.deepStrictEqual(overviewOf(v2Seed), seedOverview)
    assert.strictEqual(overviewOf(withField("requests", '" 50000\\n"')).requests, 50000)
    assert.strictEqual(overviewOf(withField("billing_end_date", '" 2010-09-29 "')).billingEndDate, "2010-09-29")
    assert.strictEqual(overviewOf(withField("reputation", "99.5")).reputation, 99.5)
    assert.strictEqual(overviewOf(withField("requests", "5e4")).requests, 50000)
  })

  it("keeps the package exactly as sent in valid JSON", () => {
    assert.strictEqual(overviewOf(withField("package", '" Silver\\nPackage "')).package, " Silver\nPackage ")
  })

  it("repairs only invalid JSON: a raw line break folds to one space, a raw tab stays", () => {
    assert.strictEqual(overviewOf(withField("package", '"Silver \r\n  Package"')).package, "Silver Package")
    assert.strictEqual(overviewOf(withField("package", '"Silver\tPackage"')).package, "Silver\tPackage")
    assert.strictEqual(overviewOf(withField("package", '"a\u0001b"')).package, "a\u0001b")
  })

  it("ignores unknown keys", () => {
    assert.deepStrictEqual(overviewOf(v1Seed.replace("{", '{"future":[1,{"a":2}],')), seedOverview)
  })

  it("reads the content type's charset", () => {
    const latin = new Uint8Array(Buffer.from(withField("package", '"Gr\u00f6\u00dfe"'), "latin1"))
    assert.strictEqual(overviewOf(latin, "ISO-8859-1").package, "Größe")
    assert.deepStrictEqual(errorOf(latin), new DecodeError({ path: "", reason: "not valid UTF-8" }))
    assert.deepStrictEqual(
      errorOf(latin, "utf-16"),
      new DecodeError({ path: "", reason: 'unsupported encoding "utf-16", expected UTF-8 or ISO-8859-1' })
    )
  })
})

describe("decoding errors", () => {
  const cases: Array<[string, string, string]> = [
    [withField("credits_used", undefined), "credits_used", "missing"],
    [withField("credits_used", "1.5"), "credits_used", "not an integer: 1.5"],
    [withField("credits_used", '"1.5"'), "credits_used", "not an integer: 1.5"],
    [withField("credits_used", "-3"), "credits_used", "negative: -3"],
    [withField("credits_used", "1e300"), "credits_used", "too large, over 9007199254740991: 1e+300"],
    [withField("credits_used", "null"), "credits_used", "expected a non-negative integer, got null"],
    [withField("credits_used", "true"), "credits_used", "expected a non-negative integer, got true"],
    [withField("credits_used", "[1]"), "credits_used", "expected a non-negative integer, got an array"],
    [withField("credits_used", '"abc"'), "credits_used", 'not a number: "abc"'],
    [withField("credits_used", '""'), "credits_used", "empty, expected a non-negative integer"],
    [withField("reputation", "100.5"), "reputation", "out of range 0..100: 100.5"],
    [withField("reputation", '{"a":1}'), "reputation", "expected a number from 0 to 100, got an object"],
    [withField("package", "7"), "package", "expected a string, got 7"],
    [
      withField("billing_process_date", '"2010-02-30"'),
      "billing_process_date",
      'not a calendar date (YYYY-MM-DD): "2010-02-30"'
    ],
    [
      withField("billing_process_date", "20100930"),
      "billing_process_date",
      "expected a calendar date (YYYY-MM-DD), got 20100930"
    ],
    ['{"message":"success"}', "message", 'expected "error", got "success"'],
    ['{"message":"error"}', "errors", "missing"],
    ['{"message":"error","errors":[]}', "errors", "empty, expected at least one message"],
    ['{"message":"error","errors":"x"}', "errors", 'expected a list of messages, got "x"'],
    ['{"message":"error","errors":["a",2]}', "errors[1]", "expected a string, got 2"],
    ["[1,2]", "", "expected a JSON object, got an array"],
    ["null", "", "expected a JSON object, got null"],
    ["42", "", "expected a JSON object, got 42"],
    ['"reputation"', "", 'expected a JSON object, got "reputation"'],
    ['"reputation":', "", "not valid JSON"],
    ["{", "", "not valid JSON"],
    ['{"a":1,}', "", "not valid JSON"]
  ]
  for (const [body, path, reason] of cases) {
    it(`${body.length > 60 ? `${body.slice(0, 57)}...` : body} -> ${path}: ${reason}`, () => {
      assert.deepStrictEqual(errorOf(body), new DecodeError({ path, reason }))
    })
  }

  it("refuses every truncation of a valid body", () => {
    for (const body of [
      v1Seed,
      v2Seed,
      utf8(fixture("seed-overview-json.txt")).trim(),
      utf8(fixture("seed-error-json.txt")).trim()
    ]) {
      const complete = body.startsWith("{") ? body.length : body.length - 1
      for (let n = 0; n < complete; n++) {
        assert.isTrue(Result.isFailure(decodeJson(body.slice(0, n))), JSON.stringify(body.slice(0, n)))
      }
    }
  })

  it("answers deep nesting with a typed error", () => {
    const deep = `${"[".repeat(500_000)}${"]".repeat(500_000)}`
    assert.strictEqual(errorOf(deep).path, "")
    const deepObject = `{"reputation":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}`
    assert.strictEqual(errorOf(deepObject).path, "reputation")
  })

  it("never echoes more than a short excerpt of a value", () => {
    const e = errorOf(
      withField("package", JSON.stringify(1)).replace(/"credits_used":\d+/, `"credits_used":"${"x".repeat(10_000)}"`)
    )
    assert.strictEqual(e.path, "package")
    const long = errorOf(withField("credits_used", JSON.stringify("9".repeat(5000) + "x")))
    assert.isBelow(long.reason.length, 60)
  })
})
