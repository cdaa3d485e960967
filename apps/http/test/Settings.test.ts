import { resolve } from "node:path"
import { defaultDatabaseUrl } from "@account-overview/store"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Option } from "effect"
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
