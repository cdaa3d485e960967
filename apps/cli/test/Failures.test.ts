import { assert, describe, it } from "@effect/vitest"
import { ExitCode, worst } from "../src/Failure.js"
import { describe as describeFailure } from "../src/Failures.js"

const context = { baseUrl: "http://127.0.0.1:8080", credentials: 'api user "acme"' }
const sdkError = (code: string, extra: Record<string, unknown> = {}) => ({ code, messages: [], ...extra })

describe("Failures", () => {
  it("says what was not found, with the status", () => {
    const failure = describeFailure(sdkError("not_found", { status: 404, messages: ["User not found"] }), {
      ...context,
      subject: { kind: "customer", name: "x@example.com" }
    })
    assert.strictEqual(failure.sentence, 'customer "x@example.com" was not found (404)')
    assert.strictEqual(failure.exitCode, ExitCode.failed)
    assert.deepStrictEqual(failure.messages, ["User not found"])
  })

  it("maps transport failures to exit 3 and names the network reason", () => {
    const refused = describeFailure(sdkError("connection_error", { cause: { code: "ECONNREFUSED" } }), context)
    assert.strictEqual(refused.sentence, "cannot reach the service at http://127.0.0.1:8080: connection refused")
    assert.strictEqual(refused.exitCode, ExitCode.unreachable)
    const dns = describeFailure(sdkError("connection_error", { cause: { cause: { code: "ENOTFOUND" } } }), context)
    assert.strictEqual(dns.sentence, "cannot reach the service at http://127.0.0.1:8080: host name not found")
    const timeout = describeFailure(sdkError("timeout"), context)
    assert.strictEqual(timeout.exitCode, ExitCode.unreachable)
    assert.strictEqual(timeout.sentence, "the service at http://127.0.0.1:8080 did not answer in time")
  })

  it("maps the service's answers to exit 1", () => {
    for (const [code, sentence] of [
      ["authentication_failed", 'the service refused the credentials of api user "acme" (401)'],
      ["rate_limited", "the service is limiting the rate of requests, retry after 3 s (429)"],
      ["server_error", "the service failed: Service unavailable, retry later (503)"]
    ] as const) {
      const status = code === "authentication_failed" ? 401 : code === "rate_limited" ? 429 : 503
      const failure = describeFailure(
        sdkError(code, {
          status,
          retryAfterMs: 2500,
          messages: code === "server_error" ? ["Service unavailable, retry later"] : []
        }),
        context
      )
      assert.strictEqual(failure.sentence, sentence)
      assert.strictEqual(failure.exitCode, ExitCode.failed)
    }
  })

  it("lists the problems of a refused request", () => {
    const failure = describeFailure(
      sdkError("invalid_request", {
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
    assert.strictEqual(
      describeFailure(sdkError("configuration_error", { message: "bad" }), context).exitCode,
      ExitCode.usage
    )
    const unknown = describeFailure(new Error("boom"), context)
    assert.strictEqual(unknown.sentence, "unexpected failure: boom")
    assert.strictEqual(unknown.exitCode, ExitCode.failed)
  })

  it("ranks exit codes: usage over unreachable over failed over ok", () => {
    assert.strictEqual(worst(ExitCode.ok, ExitCode.failed), ExitCode.failed)
    assert.strictEqual(worst(ExitCode.unreachable, ExitCode.failed), ExitCode.unreachable)
    assert.strictEqual(worst(ExitCode.failed, ExitCode.usage), ExitCode.usage)
    assert.strictEqual(worst(ExitCode.usage, ExitCode.unreachable), ExitCode.usage)
  })
})
