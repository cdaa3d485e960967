import {
  AuthenticationFailed,
  type DecodeError as CoreDecodeError,
  CustomerNotFound,
  InternalError,
  type InvalidRequest,
  RateLimited,
  Unavailable
} from "@account-overview/core"
import { assert, describe, it } from "@effect/vitest"
import {
  AbortedError,
  AccountOverviewError,
  AuthenticationError,
  ConfigurationError,
  ConnectionError,
  DecodeError,
  fromTaggedError,
  InvalidRequestError,
  isAccountOverviewError,
  NotFoundError,
  RateLimitError,
  ServerError,
  TimeoutError,
  toTaggedError
} from "../src/index.js"

const context = { method: "POST", path: "/api/distributor.account.json", requestId: "r-1", user: "alice" }

describe("error classes", () => {
  it("carry code, status, messages, method, path and request id, and say them in the message", () => {
    const error = new AuthenticationError({
      ...context,
      status: 401,
      messages: ["Permission denied, wrong credentials"]
    })
    assert.isTrue(error instanceof AccountOverviewError)
    assert.instanceOf(error, Error)
    assert.isTrue(isAccountOverviewError(error))
    assert.strictEqual(error.name, "AuthenticationError")
    assert.strictEqual(error.code, "authentication_failed")
    assert.strictEqual(
      error.message,
      "authentication failed: Permission denied, wrong credentials (HTTP 401, POST /api/distributor.account.json, request id r-1)"
    )
    assert.isTrue(String(error).startsWith("AuthenticationError: authentication failed"))
  })

  it("each class has its own code", () => {
    const codes = [
      new AuthenticationError(),
      new NotFoundError(),
      new InvalidRequestError(),
      new RateLimitError(),
      new ServerError(),
      new ConnectionError(),
      new TimeoutError(),
      new AbortedError(),
      new DecodeError({ reason: "x" }),
      new ConfigurationError("baseUrl", "is not set")
    ].map((e) => e.code)
    assert.strictEqual(new Set(codes).size, codes.length)
  })

  it("a RateLimitError says when to retry", () => {
    const error = new RateLimitError({ status: 429, retryAfterMs: 1500 })
    assert.strictEqual(error.retryAfterMs, 1500)
    assert.include(error.message, "retry after 2 s")
  })
})

describe("to and from core's tagged errors", () => {
  const pairs: Array<[AccountOverviewError, string, string?]> = [
    [new AuthenticationError({ ...context, status: 401 }), "AuthenticationFailed"],
    [new NotFoundError({ ...context, status: 404 }), "CustomerNotFound"],
    [new InvalidRequestError({ ...context, status: 400, messages: ["user is required"] }), "InvalidRequest"],
    [new RateLimitError({ ...context, status: 429, retryAfterMs: 3000 }), "RateLimited"],
    [new ServerError({ ...context, status: 503 }), "Unavailable", "server"],
    [new ConnectionError(context), "Unavailable", "connection"],
    [new TimeoutError(context), "Unavailable", "timeout"],
    [new AbortedError(context), "Unavailable", "aborted"],
    [new DecodeError({ ...context, field: "credits_used", reason: "not a number" }), "DecodeError"]
  ]

  for (const [error, tag, reason] of pairs) {
    it(`${error.name} <-> ${tag}${reason ? ` (${reason})` : ""}`, () => {
      const tagged = toTaggedError(error)
      assert.strictEqual(tagged._tag, tag)
      if (reason !== undefined) assert.strictEqual((tagged as Unavailable).reason, reason)
      const back = fromTaggedError(tagged, context)
      assert.strictEqual(back.code, error.code)
      assert.strictEqual(back.method, "POST")
      assert.strictEqual(back.path, context.path)
    })
  }

  it("keeps the details that both sides have", () => {
    assert.deepStrictEqual(
      (toTaggedError(new InvalidRequestError({ messages: ["a", "b"] })) as InvalidRequest).messages,
      ["a", "b"]
    )
    assert.strictEqual((toTaggedError(new NotFoundError({ user: "bob" })) as CustomerNotFound).user, "bob")
    assert.strictEqual((toTaggedError(new RateLimitError({ retryAfterMs: 1001 })) as RateLimited).retryAfterSeconds, 2)
    const decode = toTaggedError(new DecodeError({ field: "credits_used", reason: "not a number" })) as CoreDecodeError
    assert.strictEqual(decode.path, "credits_used")
    assert.strictEqual(
      (fromTaggedError(new RateLimited({ retryAfterSeconds: 7 })) as RateLimitError).retryAfterMs,
      7000
    )
    assert.strictEqual(fromTaggedError(new CustomerNotFound({ user: "bob" })).user, "bob")
    assert.strictEqual(fromTaggedError(new Unavailable({ reason: "store" })).code, "server_error")
    assert.strictEqual(fromTaggedError(new InternalError()).status, 500)
    assert.strictEqual(fromTaggedError(new AuthenticationFailed()).status, 401)
    assert.strictEqual(toTaggedError(new ConfigurationError("apiKey", "is not set"))._tag, "InvalidRequest")
  })
})
