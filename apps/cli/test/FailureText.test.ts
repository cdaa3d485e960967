import {
  AuthenticationError,
  ConfigurationError,
  ConnectionError,
  InvalidRequestError,
  NotFoundError,
  RateLimitError,
  ServerError,
  TimeoutError
} from "@account-overview/sdk"
import { assert, describe, it } from "@effect/vitest"
import { ExitCode } from "../src/CliFailure.js"
import { describe as describeFailure, unexpected } from "../src/FailureText.js"

const context = { baseUrl: "http://127.0.0.1:8080", credentials: 'api user "acme"' }

describe("FailureText", () => {
  it("says what was not found, with the status", () => {
    const failure = describeFailure(new NotFoundError({ status: 404, messages: ["User not found"] }), {
      ...context,
      subject: { kind: "customer", name: "x@example.com" }
    })
    assert.strictEqual(failure.sentence, 'customer "x@example.com" was not found (404)')
    assert.strictEqual(failure.exitCode, ExitCode.failed)
    assert.deepStrictEqual(failure.messages, ["User not found"])
  })

  it("maps transport failures to exit 3 and names the network reason", () => {
    const refused = describeFailure(new ConnectionError({ cause: { code: "ECONNREFUSED" } }), context)
    assert.strictEqual(refused.sentence, "cannot reach the service at http://127.0.0.1:8080: connection refused")
    assert.strictEqual(refused.exitCode, ExitCode.unreachable)
    const dns = describeFailure(new ConnectionError({ cause: { cause: { code: "ENOTFOUND" } } }), context)
    assert.strictEqual(dns.sentence, "cannot reach the service at http://127.0.0.1:8080: host name not found")
    const timeout = describeFailure(new TimeoutError(), context)
    assert.strictEqual(timeout.exitCode, ExitCode.unreachable)
    assert.strictEqual(timeout.sentence, "the service at http://127.0.0.1:8080 did not answer in time")
  })

  it("maps the service's answers to exit 1", () => {
    for (const [error, sentence] of [
      [new AuthenticationError({ status: 401 }), 'the service refused the credentials of api user "acme" (401)'],
      [
        new RateLimitError({ status: 429, retryAfterMs: 2500 }),
        "the service is limiting the rate of requests, retry after 3 s (429)"
      ],
      [
        new ServerError({ status: 503, messages: ["Service unavailable, retry later"] }),
        "the service failed: Service unavailable, retry later (503)"
      ]
    ] as const) {
      const failure = describeFailure(error, context)
      assert.strictEqual(failure.sentence, sentence)
      assert.strictEqual(failure.exitCode, ExitCode.failed)
    }
  })

  it("lists the problems of a refused request", () => {
    const failure = describeFailure(
      new InvalidRequestError({
        status: 400,
        messages: ["invalid request"],
        problems: [{ index: 0, field: "credits", message: "must be 0 or more" }]
      }),
      { ...context, subject: { kind: "package", name: "Silver" } }
    )
    assert.strictEqual(
      failure.sentence,
      'the service refused the request for package "Silver": invalid request; credits: must be 0 or more (400)'
    )
  })

  it("treats a settings error as usage and anything unknown as a failure", () => {
    assert.strictEqual(describeFailure(new ConfigurationError("baseUrl", "bad"), context).exitCode, ExitCode.usage)
    const unknown = unexpected(new Error("boom"))
    assert.strictEqual(unknown.sentence, "unexpected failure: boom")
    assert.strictEqual(unknown.exitCode, ExitCode.failed)
  })

  it("keeps the SDK's code for the JSON output", () => {
    assert.strictEqual(describeFailure(new NotFoundError(), context).code, "not_found")
    assert.strictEqual(describeFailure(new ConnectionError(), context).code, "connection_error")
  })
})
