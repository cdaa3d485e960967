import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { ConfigurationError } from "../../src/index.js"
import {
  checkBaseUrl,
  checkCount,
  checkMethod,
  configured,
  defaults,
  fromEnv,
  requireSetting,
  resolveCallOverrides,
  resolveEngineSettings
} from "../../src/internal/settings.js"
import { packageVersion } from "../support/version.js"

const refusal = (f: () => unknown): ConfigurationError => {
  try {
    f()
  } catch (error) {
    if (error instanceof ConfigurationError) return error
    throw error
  }
  throw new Error("expected a ConfigurationError")
}

describe("settings", () => {
  it("applies the documented defaults", () => {
    const settings = resolveEngineSettings({}, "https://api.example.com/")
    assert.deepStrictEqual(settings, {
      baseUrl: "https://api.example.com",
      format: defaults.format,
      dialect: defaults.dialect,
      method: defaults.method,
      timeoutMs: 10_000,
      deadlineMs: 60_000,
      maxRetries: 2,
      maxResponseBytes: 1024 * 1024,
      backoff: { baseMs: 250, capMs: 8_000, maxRetryAfterMs: 60_000 },
      userAgent: `account-overview-sdk/${packageVersion}`
    })
  })

  it("keeps a base URL's path prefix, drops its trailing slashes, refuses credentials, queries and other schemes", () => {
    assert.strictEqual(checkBaseUrl("http://h.example/prefix//", "baseUrl"), "http://h.example/prefix")
    assert.strictEqual(
      refusal(() => checkBaseUrl("not a url", "baseUrl")).message,
      "baseUrl is not a valid absolute URL"
    )
    assert.strictEqual(refusal(() => checkBaseUrl("ftp://h.example", "baseUrl")).setting, "baseUrl")
    const withSecret = refusal(() => checkBaseUrl("http://u:s3cret@h.example", "baseUrl"))
    assert.notInclude(withSecret.message, "s3cret")
    assert.strictEqual(
      refusal(() => checkBaseUrl("http://h.example/?a=1", "baseUrl")).message,
      "baseUrl must not have a query string or a fragment"
    )
  })

  it("takes an option over the environment, and a blank variable as unset", () => {
    assert.strictEqual(fromEnv("given", "NAME", { NAME: "env" }), "given")
    assert.strictEqual(fromEnv(undefined, "NAME", { NAME: "env" }), "env")
    assert.isUndefined(fromEnv(undefined, "NAME", { NAME: "  " }))
    assert.strictEqual(
      refusal(() => requireSetting(undefined, "apiKey", "ACCOUNT_OVERVIEW_API_KEY")).message,
      "apiKey is not set: pass the apiKey option or set ACCOUNT_OVERVIEW_API_KEY"
    )
    assert.strictEqual(refusal(() => requireSetting("", "apiKey")).message, "apiKey is empty")
  })

  it("checks methods in any case and counts within bounds", () => {
    assert.strictEqual(checkMethod("get"), "GET")
    assert.strictEqual(refusal(() => checkMethod("PUT")).message, "method must be one of POST, GET")
    assert.strictEqual(checkCount(3, "n", 1, 5), 3)
    assert.strictEqual(refusal(() => checkCount(1.5, "n", 1, 5)).message, "n must be an integer from 1 to 5")
    assert.strictEqual(refusal(() => resolveEngineSettings({ timeoutMs: 0 }, "http://h")).setting, "timeoutMs")
    assert.strictEqual(
      refusal(() => resolveEngineSettings({ backoff: { baseMs: -1 } }, "http://h")).setting,
      "backoff.baseMs"
    )
  })

  it("per-call options override the settings, checked; none gives the settings themselves", () => {
    const settings = resolveEngineSettings({ format: "xml" }, "http://h")
    assert.strictEqual(resolveCallOverrides(settings, undefined), settings)
    assert.deepStrictEqual(resolveCallOverrides(settings, { dialect: "v2", timeoutMs: 5 }), {
      format: "xml",
      dialect: "v2",
      timeoutMs: 5
    })
    assert.strictEqual(refusal(() => resolveCallOverrides(settings, { format: "yaml" as "xml" })).setting, "format")
  })

  it.effect("configured: a ConfigurationError is the effect's failure, anything else a defect", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(configured(() => requireSetting(undefined, "baseUrl")))
      assert.instanceOf(error, ConfigurationError)
      assert.strictEqual(error.setting, "baseUrl")
      assert.strictEqual(yield* configured(() => 42), 42)
      const exit = yield* Effect.exit(
        configured(() => {
          throw new TypeError("boom")
        })
      )
      assert.isTrue(Exit.hasDies(exit))
    })
  )
})
