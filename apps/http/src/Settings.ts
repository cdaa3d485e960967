/**
 * The service's settings, read once through Effect `Config` from the
 * environment. Every setting has a default or fails with a clear message.
 * `DATABASE_URL` is not among them: the store reads it (`Ledger.layerConfig`
 * of `@account-overview/store`, default `account-overview.db` in
 * `DATA_DIR`); `DATA_DIR` is, as the store reads it (`dataDirConfig`).
 *
 * @since 0.1.0
 */
import { resolve } from "node:path"
import { dataDirConfig, defaultDataDir } from "@account-overview/store"
import { Config, Context, Effect, Layer, type LogLevel, Option, Redacted, Schema } from "effect"
import { parseTrustProxy, type TrustProxy, trustNoProxy } from "./ClientAddress.js"

/**
 * The largest request body the wire endpoints read, in bytes (64 KiB).
 *
 * @since 0.1.0
 * @category constants
 */
export const maxBodyBytes = 64 * 1024

/**
 * The settings of one instance.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServerSettings {
  /** `PORT`, default 3000; 0 picks a free port. */
  readonly port: number
  /** `HOST`, default `127.0.0.1`; set `0.0.0.0` in a container. */
  readonly host: string
  /** `DATA_DIR`, default `./data`, as an absolute path: the SQLite file when `DATABASE_URL` is unset, the demo's token. */
  readonly dataDir: string
  /** `LOG_LEVEL`: fatal, error, warn, info (default), debug, trace, none. */
  readonly logLevel: LogLevel.LogLevel
  /** `RATE_LIMIT_PER_MINUTE`: overview calls per reseller and minute, per instance; off when unset or 0. */
  readonly rateLimitPerMinute: Option.Option<number>
  /** `AUTH_FAILURE_LIMIT`: failed authentications per api_user or client address per minute, default 10. */
  readonly authFailureLimit: number
  /** `ADMIN_TOKEN`: the operator API's bearer token; the operator API answers 503 when unset. */
  readonly adminToken: Option.Option<Redacted.Redacted<string>>
  /** `TRUST_PROXY`: a hop count or proxy addresses/CIDRs to read the client address from `X-Forwarded-For` behind (default none; `true` is 1 hop). */
  readonly trustProxy: TrustProxy
  /** `REDIS_URL`: a Redis that the throttles of every instance share; per-instance memory when unset. */
  readonly redisUrl: Option.Option<Redacted.Redacted<string>>
  /** `REDIS_KEY_PREFIX`: the prefix of the throttles' Redis keys, default `account-overview:throttle:`. */
  readonly redisKeyPrefix: string
  /** `HEADERS_TIMEOUT_MS`: time to receive a request's headers, default 10000. */
  readonly headersTimeoutMs: number
  /** `REQUEST_TIMEOUT_MS`: time to receive a whole request, default 30000. */
  readonly requestTimeoutMs: number
  /** `KEEP_ALIVE_TIMEOUT_MS`: idle time of a kept-alive connection, default 5000. */
  readonly keepAliveTimeoutMs: number
  /** `SHUTDOWN_TIMEOUT_MS`: how long requests in flight may take to finish on shutdown, default 10000. */
  readonly shutdownTimeoutMs: number
}

const logLevels: Record<string, LogLevel.LogLevel> = {
  all: "All",
  fatal: "Fatal",
  error: "Error",
  warn: "Warn",
  warning: "Warn",
  info: "Info",
  debug: "Debug",
  trace: "Trace",
  none: "None"
}

const LogLevelName = Schema.String.pipe(
  Schema.check(
    Schema.makeFilter(
      (s: string) => logLevels[s.trim().toLowerCase()] !== undefined || `one of ${Object.keys(logLevels).join(", ")}`
    )
  )
)

const logLevel = Config.schema(LogLevelName, "LOG_LEVEL").pipe(
  Config.withDefault("info"),
  Config.map((name) => logLevels[name.trim().toLowerCase()] ?? "Info")
)

const nonNegativeInt = Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))

const TrustProxyText = Schema.String.pipe(
  Schema.check(
    Schema.makeFilter((s: string) => {
      const parsed = parseTrustProxy(s)
      return parsed._tag !== "Invalid" || parsed.message
    })
  )
)

const millis = (name: string, fallback: number) =>
  Config.schema(nonNegativeInt, name).pipe(Config.withDefault(fallback))

/**
 * The settings as one `Config`, from `PORT`, `HOST`, `DATA_DIR`, `LOG_LEVEL`, `RATE_LIMIT_PER_MINUTE`, `AUTH_FAILURE_LIMIT`, `ADMIN_TOKEN`,
 * `TRUST_PROXY`, `REDIS_URL`, `REDIS_KEY_PREFIX`, `HEADERS_TIMEOUT_MS`, `REQUEST_TIMEOUT_MS`,
 * `KEEP_ALIVE_TIMEOUT_MS` and `SHUTDOWN_TIMEOUT_MS`.
 *
 * @since 0.1.0
 * @category config
 */
export const settingsConfig: Config.Config<ServerSettings> = Config.all({
  port: Config.schema(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 65535 }))), "PORT").pipe(
    Config.withDefault(3000)
  ),
  host: Config.String("HOST").pipe(Config.withDefault("127.0.0.1")),
  dataDir: dataDirConfig,
  logLevel,
  rateLimitPerMinute: Config.schema(nonNegativeInt, "RATE_LIMIT_PER_MINUTE").pipe(
    Config.option,
    Config.map(Option.filter((n) => n > 0))
  ),
  authFailureLimit: Config.schema(
    Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(1))),
    "AUTH_FAILURE_LIMIT"
  ).pipe(Config.withDefault(10)),
  adminToken: Config.Redacted("ADMIN_TOKEN").pipe(
    Config.option,
    Config.map(Option.filter((token) => Redacted.value(token).length > 0))
  ),
  trustProxy: Config.schema(TrustProxyText, "TRUST_PROXY").pipe(
    Config.withDefault(""),
    Config.map((text) => {
      const parsed = parseTrustProxy(text)
      return parsed._tag === "Invalid" ? trustNoProxy : parsed
    })
  ),
  redisUrl: Config.Redacted("REDIS_URL").pipe(
    Config.option,
    Config.map(Option.filter((url) => Redacted.value(url).trim().length > 0))
  ),
  redisKeyPrefix: Config.String("REDIS_KEY_PREFIX").pipe(Config.withDefault("account-overview:throttle:")),
  headersTimeoutMs: millis("HEADERS_TIMEOUT_MS", 10_000),
  requestTimeoutMs: millis("REQUEST_TIMEOUT_MS", 30_000),
  keepAliveTimeoutMs: millis("KEEP_ALIVE_TIMEOUT_MS", 5_000),
  shutdownTimeoutMs: millis("SHUTDOWN_TIMEOUT_MS", 10_000)
})

/**
 * The defaults, as a plain value (tests start from it).
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultSettings: ServerSettings = {
  port: 3000,
  host: "127.0.0.1",
  dataDir: resolve(defaultDataDir),
  logLevel: "Info",
  rateLimitPerMinute: Option.none(),
  authFailureLimit: 10,
  adminToken: Option.none(),
  trustProxy: trustNoProxy,
  redisUrl: Option.none(),
  redisKeyPrefix: "account-overview:throttle:",
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  shutdownTimeoutMs: 10_000
}

/**
 * The settings service: read the settings with `yield* Settings`.
 *
 * @since 0.1.0
 * @category services
 */
export class Settings extends Context.Service<Settings, ServerSettings>()("@account-overview/http/Settings") {
  /**
   * The settings from the environment (through the current `ConfigProvider`).
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<Settings, Config.ConfigError> = Layer.effect(
    Settings,
    Effect.map(settingsConfig, (settings) => Settings.of(settings))
  )

  /**
   * The defaults with some settings replaced, without reading the
   * environment (tests, benchmarks).
   *
   * @since 0.2.0
   */
  static readonly layerTest = (overrides: Partial<ServerSettings> = {}): Layer.Layer<Settings> =>
    Layer.succeed(Settings, Settings.of({ ...defaultSettings, ...overrides }))
}
