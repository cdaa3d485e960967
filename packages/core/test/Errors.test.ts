import { assert, describe, it } from "@effect/vitest"
import {
  AuthenticationFailed,
  CustomerNotFound,
  DecodeError,
  errorTable,
  InternalError,
  InvalidRequest,
  RateLimited,
  rateLimitedMessage,
  toWire,
  Unavailable,
  unsupportedCharsetMessage,
  wireMessage
} from "../src/Errors.js"

describe("toWire", () => {
  it("answers a missing api_key as 401 with all its messages, and hints at + for a user with a space", () => {
    assert.deepStrictEqual(
      toWire(new InvalidRequest({ messages: ["missing parameter: api_key", "missing parameter: user"] })),
      { status: 401, errors: ["missing parameter: api_key", "missing parameter: user"] }
    )
    const hint = "user has a space: a + sent unencoded in a query string or form body reads as a space, send it as %2B"
    for (const user of ["a b@example.com", "nobody at all"]) {
      assert.deepStrictEqual(toWire(new CustomerNotFound({ user })), { status: 404, errors: ["User not found", hint] })
    }
    assert.strictEqual(unsupportedCharsetMessage("koi8-r"), "Unsupported charset koi8-r, use UTF-8 or ISO-8859-1")
    assert.strictEqual(unsupportedCharsetMessage("<script>"), "Unsupported charset, use UTF-8 or ISO-8859-1")
  })

  it("answers each failure's status and its one stable message", () => {
    assert.deepStrictEqual(toWire(new AuthenticationFailed()), {
      status: 401,
      errors: ["Permission denied, wrong credentials"]
    })
    assert.deepStrictEqual(toWire(new CustomerNotFound({ user: "secret@x" })), {
      status: 404,
      errors: ["User not found"]
    })
    assert.deepStrictEqual(toWire(new InternalError()), { status: 500, errors: ["Internal error"] })
    assert.deepStrictEqual(toWire(new Unavailable({ reason: "store", detail: "/srv/db is locked" })), {
      status: 503,
      errors: ["Service unavailable, retry later"]
    })
  })

  it("answers an InvalidRequest's own messages and a RateLimited's wait", () => {
    assert.deepStrictEqual(toWire(new InvalidRequest({ messages: ["missing parameter: user", "x"] })), {
      status: 400,
      errors: ["missing parameter: user", "x"]
    })
    assert.deepStrictEqual(toWire(new RateLimited({ retryAfterSeconds: 20 })), {
      status: 429,
      errors: ["Too many requests, retry after 20 s"]
    })
    assert.strictEqual(rateLimitedMessage(7), `${errorTable.RateLimited.message}, retry after 7 s`)
    assert.strictEqual(new RateLimited({ retryAfterSeconds: 7 }).message, rateLimitedMessage(7))
  })
})

describe("the errors' messages", () => {
  it("say nothing of the input but what is meant to be shown", () => {
    assert.strictEqual(new CustomerNotFound({ user: "secret@x" }).message, wireMessage.CustomerNotFound)
    assert.strictEqual(new InvalidRequest({ messages: ["a", "b"] }).message, "a; b")
    assert.strictEqual(new Unavailable({ reason: "timeout" }).message, `${wireMessage.Unavailable} (timeout)`)
    assert.strictEqual(
      new DecodeError({ path: "", reason: "empty body" }).message,
      "cannot decode response: empty body"
    )
    assert.strictEqual(new DecodeError({ path: "user", reason: "missing" }).message, "cannot decode user: missing")
  })

  it("every row of the error table is a wire message", () => {
    const messages = new Set<string>(Object.values(wireMessage))
    for (const row of Object.values(errorTable)) assert.isTrue(messages.has(row.message), row.message)
    assert.deepStrictEqual(errorTable.UnknownFormat, { status: 404, message: "Unknown format, use .json or .xml" })
  })
})
