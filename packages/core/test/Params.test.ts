import { assert, describe, it } from "@effect/vitest"
import { Redacted, Result } from "effect"
import * as fc from "fast-check"
import { InvalidRequest } from "../src/Errors.js"
import { toWellFormed } from "../src/internal/text.js"
import type { OverviewRequest } from "../src/OverviewRequest.js"
import {
  apiKeyUser,
  decodeRequestParams,
  encodeRequestParams,
  jsonRequestParams,
  type RequestParamsOptions
} from "../src/Params.js"

const ok = (input: Parameters<typeof decodeRequestParams>[0], options?: RequestParamsOptions) => {
  const r = decodeRequestParams(input, options)
  if (Result.isFailure(r)) assert.fail(`expected a success, got ${r.failure.message}`)
  return r.success
}
const plain = (r: OverviewRequest) => ({
  apiUser: r.apiUser,
  apiKey: Redacted.value(r.apiKey),
  task: r.task,
  user: r.user
})
const messages = (input: Parameters<typeof decodeRequestParams>[0], options?: RequestParamsOptions) => {
  const r = decodeRequestParams(input, options)
  if (Result.isSuccess(r)) assert.fail(`expected a failure, got ${JSON.stringify(plain(r.success))}`)
  assert.instanceOf(r.failure, InvalidRequest)
  return r.failure.messages
}

const seed = "api_user=your_sendgrid_username&api_key=your_sendgrid_password&task=overview&user=customer@example.com"
const seedRequest = {
  apiUser: "your_sendgrid_username",
  apiKey: "your_sendgrid_password",
  task: "overview",
  user: "customer@example.com"
}

describe("decodeRequestParams", () => {
  it("reads the seed's request, as a string, URLSearchParams or pairs", () => {
    assert.deepStrictEqual(plain(ok(seed)), seedRequest)
    assert.deepStrictEqual(plain(ok(`?${seed}`)), seedRequest)
    assert.deepStrictEqual(plain(ok(new URLSearchParams(seed))), seedRequest)
    assert.deepStrictEqual(plain(ok(Array.from(new URLSearchParams(seed)))), seedRequest)
  })

  it("keeps the key redacted", () => {
    const request = ok(seed)
    assert.strictEqual(String(request.apiKey), "<redacted>")
    assert.notInclude(JSON.stringify(request), "your_sendgrid_password")
  })

  it("decodes + and percent-escapes, and trims values", () => {
    assert.deepStrictEqual(
      plain(ok("api_user=a+b&api_key=%20k%26%3D%2B%E5%A5%97%20&task=+overview+&user=%20c%40x.org%0D%0A")),
      { apiUser: "a b", apiKey: "k&=+套", task: "overview", user: "c@x.org" }
    )
    assert.strictEqual(ok("api%5Fuser=u&api_key=k&task=overview&user=c").apiUser, "u")
  })

  it("ignores unknown parameters, empty pieces and is case-sensitive", () => {
    assert.deepStrictEqual(plain(ok(`x=1&&${seed}&y=%ZZ&format=xml&`)), seedRequest)
    assert.deepStrictEqual(messages("API_USER=u&Api_Key=k&TASK=overview&USER=c"), [
      "missing parameter: api_user",
      "missing parameter: api_key",
      "missing parameter: task",
      "missing parameter: user"
    ])
  })

  it("lists every missing parameter at once, an empty or blank value counting as missing", () => {
    assert.deepStrictEqual(messages(""), [
      "missing parameter: api_user",
      "missing parameter: api_key",
      "missing parameter: task",
      "missing parameter: user"
    ])
    assert.deepStrictEqual(messages("api_user=u&api_key=&task=overview&user=+%20%09"), [
      "missing parameter: api_key",
      "missing parameter: user"
    ])
    assert.deepStrictEqual(messages("api_user=u&api_key&task=overview&user=c"), ["missing parameter: api_key"])
  })

  it("refuses a repeated parameter, even when one of the values is empty", () => {
    assert.deepStrictEqual(messages(`${seed}&api_user=other`), ["parameter api_user is repeated"])
    assert.deepStrictEqual(messages(`${seed}&user=`), ["parameter user is repeated"])
    assert.deepStrictEqual(messages([...new URLSearchParams(seed), ["task", "overview"] as const]), [
      "parameter task is repeated"
    ])
  })

  it("refuses a task other than overview", () => {
    assert.deepStrictEqual(messages(seed.replace("task=overview", "task=Overview")), [
      "parameter task must be overview"
    ])
    assert.deepStrictEqual(messages(seed.replace("task=overview", "task=packages")), [
      "parameter task must be overview"
    ])
  })

  it("reports malformed percent-escapes without echoing the value", () => {
    const secret = "s3cr3t%ZZvalue"
    const m = messages(`api_user=u&api_key=${secret}&task=overview&user=c`)
    assert.deepStrictEqual(m, ["parameter api_key is not valid percent-encoding"])
    assert.notInclude(m.join(" "), "s3cr3t")
    assert.deepStrictEqual(messages(`${seed}&%E0%A4%A=1`), ["a parameter name is not valid percent-encoding"])
    assert.deepStrictEqual(messages("api_user=%&api_key=%C3%28&task=overview&user=c"), [
      "parameter api_user is not valid percent-encoding",
      "parameter api_key is not valid percent-encoding"
    ])
  })

  it("takes a bearer token as api_key, with the user apikey when api_user is left out", () => {
    const bearer = { bearerKey: "SG.key" }
    assert.deepStrictEqual(plain(ok("task=overview&user=c", bearer)), {
      apiUser: apiKeyUser,
      apiKey: "SG.key",
      task: "overview",
      user: "c"
    })
    assert.strictEqual(apiKeyUser, "apikey")
    assert.strictEqual(ok("api_user=r&task=overview&user=c", bearer).apiUser, "r")
    assert.strictEqual(ok("api_user=+&task=overview&user=c", bearer).apiUser, apiKeyUser)
    assert.strictEqual(Redacted.value(ok("api_user=r&task=overview&user=c", { bearerKey: " k\t" }).apiKey), "k")
    assert.deepStrictEqual(messages("task=overview&user=c", { bearerKey: "  " }), [
      "missing parameter: api_user",
      "missing parameter: api_key"
    ])
  })

  it("refuses a bearer token beside an api_key parameter, even an empty one", () => {
    const bearer = { bearerKey: "SG.key" }
    assert.deepStrictEqual(messages(seed, bearer), ["parameter api_key is repeated"])
    assert.deepStrictEqual(messages("api_user=r&api_key=&task=overview&user=c", bearer), [
      "parameter api_key is repeated"
    ])
    assert.deepStrictEqual(messages("api_key=k&task=overview&user=c", bearer), ["parameter api_key is repeated"])
    assert.notInclude(messages(seed, bearer).join(" "), "SG.key")
  })

  it("reads a body after the query as one list: pairs or a form body, a parameter in both repeated", () => {
    const pairs = Array.from(new URLSearchParams(seed)).filter(([name]) => name !== "api_user")
    assert.deepStrictEqual(plain(ok("api_user=your_sendgrid_username", { body: pairs })), seedRequest)
    assert.deepStrictEqual(plain(ok("", { body: `?${seed}` })), seedRequest)
    assert.deepStrictEqual(plain(ok("task=overview", { body: seed.replace("&task=overview", "") })), seedRequest)
    assert.deepStrictEqual(messages("user=a", { body: seed }), ["parameter user is repeated"])
    assert.deepStrictEqual(messages("user=a", { body: [["user", ""]] }), [
      "parameter user is repeated",
      "missing parameter: api_user",
      "missing parameter: api_key",
      "missing parameter: task"
    ])
    assert.deepStrictEqual(messages("x=1", { body: `?${seed}` }), ["missing parameter: api_user"])
    assert.strictEqual(ok("task=overview&user=c", { body: [["api_user", "r"]], bearerKey: "k" }).apiUser, "r")
  })
})

describe("encodeRequestParams", () => {
  it("writes the seed's request", () => {
    assert.strictEqual(
      encodeRequestParams(
        { apiUser: "your_sendgrid_username", apiKey: Redacted.make("your_sendgrid_password") },
        "customer@example.com"
      ),
      "api_user=your_sendgrid_username&api_key=your_sendgrid_password&task=overview&user=customer%40example.com"
    )
    assert.strictEqual(
      encodeRequestParams({ apiUser: "a b", apiKey: Redacted.make("k&=+%") }, "套"),
      "api_user=a+b&api_key=k%26%3D%2B%25&task=overview&user=%E5%A5%97"
    )
  })

  it("round-trips through decodeRequestParams, also as URLSearchParams", () => {
    const value = fc
      .string({
        unit: fc.oneof(
          fc.constantFrom("&", "=", "+", "%", " ", "?", "#", "\ud800"),
          fc.string({ unit: "binary", minLength: 1, maxLength: 1 })
        )
      })
      .filter((s) => s.trim() !== "")
    fc.assert(
      fc.property(value, value, value, (apiUser, apiKey, user) => {
        const wire = encodeRequestParams({ apiUser, apiKey: Redacted.make(apiKey) }, user)
        const clean = (s: string) => toWellFormed(s).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "")
        const expected = { apiUser: clean(apiUser), apiKey: clean(apiKey), task: "overview", user: clean(user) }
        for (const input of [wire, new URLSearchParams(wire)]) {
          const r = decodeRequestParams(input)
          if (expected.apiUser === "" || expected.apiKey === "" || expected.user === "") {
            assert.isTrue(Result.isFailure(r))
          } else {
            assert.isTrue(Result.isSuccess(r))
            if (Result.isSuccess(r)) assert.deepStrictEqual(plain(r.success), expected)
          }
        }
      }),
      { numRuns: 1000 }
    )
  })
})

describe("jsonRequestParams", () => {
  const pairs = (text: string) => {
    const read = jsonRequestParams(text)
    return Result.isSuccess(read) ? read.success : read.failure.messages
  }
  const decoded = (text: string) => {
    const read = jsonRequestParams(text)
    if (Result.isFailure(read)) return read.failure.messages
    const request = decodeRequestParams("", { body: read.success })
    return Result.isSuccess(request) ? { ...request.success, apiKey: "<redacted>" } : request.failure.messages
  }

  it("reads an object of the same parameters, strings or numbers, under the form's rules", () => {
    assert.deepStrictEqual(
      decoded('{"api_user":" demo ","api_key":"k","task":"overview","user":"a@b","x":{"y":[1]}}'),
      {
        apiUser: "demo",
        apiKey: "<redacted>",
        task: "overview",
        user: "a@b"
      }
    )
    assert.deepStrictEqual(decoded('{"api_user":7,"api_key":"k","task":"overview","user":["a@b"]}'), {
      apiUser: "7",
      apiKey: "<redacted>",
      task: "overview",
      user: "a@b"
    })
    assert.deepStrictEqual(decoded('{"api_user":"u","api_key":"","task":"overview","user":[]}'), [
      "missing parameter: api_key",
      "missing parameter: user"
    ])
    assert.deepStrictEqual(decoded('{"api_user":"u","api_key":"k","task":"overview","user":["a","b"]}'), [
      "parameter user is repeated"
    ])
    assert.deepStrictEqual(decoded('{"api_user":"u","api_key":"k","task":"overview","user":"a","us\\u0065r":"b"}'), [
      "parameter user is repeated"
    ])
    assert.deepStrictEqual(pairs(""), [])
  })

  it("refuses other values naming the parameter, and bodies that are not an object, without echoing values", () => {
    assert.deepStrictEqual(pairs('{"user":true,"api_key":{"k":"secret"},"task":null}'), [
      "parameter api_key must be a string or a number",
      "parameter task must be a string or a number",
      "parameter user must be a string or a number"
    ])
    assert.deepStrictEqual(pairs('["secret"]'), ["the JSON body must be an object"])
    assert.deepStrictEqual(pairs("{secret"), ["the JSON body is not valid JSON"])
    assert.deepStrictEqual(pairs('{"user":1e400}'), ["parameter user must be a string or a number"])
  })
})
