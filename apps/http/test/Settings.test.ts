import { resolve } from "node:path"
import { defaultDatabaseUrl } from "@account-overview/store"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Option, Redacted } from "effect"
import { defaultSettings, settingsConfig } from "../src/Settings.js"

const parse = (env: Record<string, string>) => settingsConfig.parse(ConfigProvider.fromEnv({ env }))

describe("settingsConfig", () => {
  it.effect("has a default for every setting", () =>
    Effect.gen(function* () {
      const settings = yield* parse({})
      assert.strictEqual(settings.port, 3000)
      assert.strictEqual(settings.host, "127.0.0.1")
      // DATABASE_URL is read by the store (Ledger.layerConfig), with this default.
      assert.strictEqual(defaultDatabaseUrl, "sqlite:./data/account-overview.db")
      assert.strictEqual(settings.logLevel, "Info")
      assert.isTrue(Option.isNone(settings.rateLimitPerMinute))
      assert.isTrue(Option.isNone(settings.adminToken))
      assert.strictEqual(settings.authFailureLimit, 10)
      assert.strictEqual(settings.headersTimeoutMs, 10_000)
      assert.strictEqual(settings.trustProxy._tag, "None")
      assert.isTrue(Option.isNone(settings.redisUrl))
      assert.strictEqual(settings.redisKeyPrefix, "account-overview:throttle:")
    })
  )

  it.effect("reads REDIS_URL redacted, and TRUST_PROXY as hops or proxies", () =>
    Effect.gen(function* () {
      const settings = yield* parse({
        REDIS_URL: "redis://:pw-1234@127.0.0.1:6379",
        REDIS_KEY_PREFIX: "t:",
        TRUST_PROXY: "10.0.0.0/8, 192.0.2.1"
      })
      assert.isTrue(Option.isSome(settings.redisUrl))
      assert.notInclude(String(settings.redisUrl), "pw-1234")
      assert.strictEqual(settings.redisKeyPrefix, "t:")
      assert.strictEqual(settings.trustProxy._tag, "Proxies")
      assert.deepStrictEqual((yield* parse({ TRUST_PROXY: "2" })).trustProxy, { _tag: "Hops", hops: 2 })
      assert.strictEqual((yield* parse({ TRUST_PROXY: "false" })).trustProxy._tag, "None")
    })
  )

  it.effect("reads the environment, log levels in any case, 0 turning the rate limit off", () =>
    Effect.gen(function* () {
      const settings = yield* parse({
        PORT: "0",
        LOG_LEVEL: "DEBUG",
        RATE_LIMIT_PER_MINUTE: "600",
        ADMIN_TOKEN: "s3cret",
        TRUST_PROXY: "true",
        SHUTDOWN_TIMEOUT_MS: "250"
      })
      assert.strictEqual(settings.port, 0)
      assert.strictEqual(settings.logLevel, "Debug")
      assert.deepStrictEqual(settings.rateLimitPerMinute, Option.some(600))
      // `true` is one hop now (decision 0085): the rightmost X-Forwarded-For entry.
      assert.deepStrictEqual(settings.trustProxy, { _tag: "Hops", hops: 1 })
      assert.strictEqual(settings.shutdownTimeoutMs, 250)
      assert.notInclude(String(settings.adminToken), "s3cret")
      const off = yield* parse({ RATE_LIMIT_PER_MINUTE: "0" })
      assert.isTrue(Option.isNone(off.rateLimitPerMinute))
    })
  )

  it.effect("fails with a message naming the setting", () =>
    Effect.gen(function* () {
      for (const [name, value] of [
        ["LOG_LEVEL", "loud"],
        ["PORT", "70000"],
        ["RATE_LIMIT_PER_MINUTE", "many"],
        ["HEADERS_TIMEOUT_MS", "-5"],
        ["TRUST_PROXY", "10.0.0.0/99"],
        ["TRUST_PROXY", "every proxy"]
      ] as const) {
        const error = yield* Effect.flip(parse({ [name]: value }))
        assert.include(error.message, name)
      }
    })
  )

  it.effect("DATA_DIR is an absolute path: ./data under the working folder by default", () =>
    Effect.gen(function* () {
      assert.strictEqual((yield* parse({})).dataDir, resolve("data"))
      assert.strictEqual(defaultSettings.dataDir, resolve("data"))
      assert.strictEqual((yield* parse({ DATA_DIR: "var/ao" })).dataDir, resolve("var/ao"))
      assert.strictEqual((yield* parse({ DATA_DIR: "/srv/ao" })).dataDir, "/srv/ao")
    })
  )
})

describe("settingsConfig: build commit and tracing", () => {
  it.effect("has no commit and no tracing by default; an empty endpoint is no endpoint", () =>
    Effect.gen(function* () {
      const settings = yield* parse({})
      assert.isTrue(Option.isNone(settings.buildCommit))
      assert.isTrue(Option.isNone(settings.tracing))
      assert.isTrue(Option.isNone((yield* parse({ OTEL_EXPORTER_OTLP_ENDPOINT: "" })).tracing))
      assert.deepStrictEqual((yield* parse({ BUILD_COMMIT: "9fceb02" })).buildCommit, Option.some("9fceb02"))
    })
  )

  it.effect("turns tracing on with an endpoint: /v1/traces appended, protobuf, the service's name", () =>
    Effect.gen(function* () {
      const settings = yield* parse({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })
      const tracing = Option.getOrThrow(settings.tracing)
      assert.strictEqual(tracing.url, "http://collector:4318/v1/traces")
      assert.strictEqual(tracing.protocol, "http/protobuf")
      assert.strictEqual(tracing.serviceName, "account-overview")
      assert.isTrue(Option.isNone(tracing.headers))
      const under = Option.getOrThrow(
        (yield* parse({ OTEL_EXPORTER_OTLP_ENDPOINT: "https://otel.example/ingest/" })).tracing
      )
      assert.strictEqual(under.url, "https://otel.example/ingest/v1/traces")
    })
  )

  it.effect("takes the traces endpoint as given, the protocol, the name and the headers (redacted)", () =>
    Effect.gen(function* () {
      const settings = yield* parse({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://traces:9999/custom",
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_SERVICE_NAME: "billing-edge",
        OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=s3cr%3Dt,x-team=ops"
      })
      const tracing = Option.getOrThrow(settings.tracing)
      assert.strictEqual(tracing.url, "http://traces:9999/custom")
      assert.strictEqual(tracing.protocol, "http/json")
      assert.strictEqual(tracing.serviceName, "billing-edge")
      const headers = Option.getOrThrow(tracing.headers)
      assert.deepStrictEqual(Redacted.value(headers), { "x-api-key": "s3cr=t", "x-team": "ops" })
      assert.notInclude(String(headers), "s3cr")
      const traces = yield* parse({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/protobuf"
      })
      assert.strictEqual(Option.getOrThrow(traces.tracing).protocol, "http/protobuf")
    })
  )

  it.effect("OTEL_SDK_DISABLED turns it off; a bad endpoint or protocol fails naming the setting", () =>
    Effect.gen(function* () {
      const off = yield* parse({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "true" })
      assert.isTrue(Option.isNone(off.tracing))
      for (const [name, value] of [
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "not a url"],
        ["OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"]
      ] as const) {
        const error = yield* Effect.flip(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", [name]: value }))
        assert.include(error.message, name)
      }
    })
  )
  it.effect("reads the webhook settings: allowed hosts and CIDRs, the timeout, the retry window and backoff", () =>
    Effect.gen(function* () {
      const defaults = yield* parse({})
      assert.deepStrictEqual(defaults.webhookAllowedHosts.entries, [])
      assert.deepStrictEqual(
        [
          defaults.webhookTimeoutMs,
          defaults.webhookRetryWindowMs,
          defaults.webhookBackoffBaseMs,
          defaults.webhookBackoffMaxMs,
          defaults.webhookPollMs
        ],
        [10_000, 86_400_000, 5_000, 3_600_000, 1_000]
      )
      assert.deepStrictEqual(defaults.webhookAllowedHosts.entries, defaultSettings.webhookAllowedHosts.entries)
      const set = yield* parse({
        WEBHOOK_ALLOWED_HOSTS: "127.0.0.1, 10.0.0.0/8, hooks.internal",
        WEBHOOK_TIMEOUT_MS: "2500",
        WEBHOOK_RETRY_WINDOW_MS: "60000",
        WEBHOOK_BACKOFF_BASE_MS: "20"
      })
      assert.deepStrictEqual(set.webhookAllowedHosts.entries, ["127.0.0.1/32", "10.0.0.0/8", "hooks.internal"])
      assert.deepStrictEqual(
        [set.webhookTimeoutMs, set.webhookRetryWindowMs, set.webhookBackoffBaseMs],
        [2500, 60_000, 20]
      )
      for (const [name, value] of [
        ["WEBHOOK_ALLOWED_HOSTS", "10.0.0.0/40"],
        ["WEBHOOK_TIMEOUT_MS", "0"],
        ["WEBHOOK_RETRY_WINDOW_MS", "soon"]
      ] as const) {
        const error = yield* Effect.flip(parse({ [name]: value }))
        assert.include(error.message, name)
      }
    })
  )
})
