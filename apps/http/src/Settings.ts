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
import { noWebhookHosts, parseWebhookHosts, type WebhookHosts } from "./WebhookTargets.js"

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
  /** `BUILD_COMMIT`: the source commit, shown by `account_overview_build_info` on `/metrics`. */
  readonly buildCommit: Option.Option<string>
  /** `OTEL_EXPORTER_OTLP_ENDPOINT` and the other OpenTelemetry variables: traces over OTLP/HTTP; off when unset. */
  readonly tracing: Option.Option<TracingSettings>
  /** `WEBHOOK_ALLOWED_HOSTS`: host names and addresses/CIDRs webhooks may reach besides public addresses (default none). */
  readonly webhookAllowedHosts: WebhookHosts
  /** `WEBHOOK_TIMEOUT_MS`: time one delivery attempt may take, default 10000. */
  readonly webhookTimeoutMs: number
  /** `WEBHOOK_RETRY_WINDOW_MS`: how long a delivery is retried before it fails, default 86400000 (24 h). */
  readonly webhookRetryWindowMs: number
  /** `WEBHOOK_BACKOFF_BASE_MS`: the first retry's largest delay, doubled per attempt (full jitter), default 5000. */
  readonly webhookBackoffBaseMs: number
  /** `WEBHOOK_BACKOFF_MAX_MS`: the largest delay between attempts, default 3600000 (1 h). */
  readonly webhookBackoffMaxMs: number
  /** `WEBHOOK_POLL_MS`: how often an instance looks for due deliveries (also woken by its own ingestions), default 1000. */
  readonly webhookPollMs: number
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

const WebhookHostsText = Schema.String.pipe(
  Schema.check(
    Schema.makeFilter((s: string) => {
      const parsed = parseWebhookHosts(s)
      return !("_tag" in parsed) || parsed.message
    })
  )
)

const positiveMillis = (name: string, fallback: number) =>
  Config.schema(Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(1))), name).pipe(
    Config.withDefault(fallback)
  )

const millis = (name: string, fallback: number) =>
  Config.schema(nonNegativeInt, name).pipe(Config.withDefault(fallback))

/**
 * Where and how traces are exported.
 *
 * @since 0.2.0
 * @category models
 */
export interface TracingSettings {
  /** The OTLP/HTTP traces URL (`<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`). */
  readonly url: string
  /** `OTEL_EXPORTER_OTLP_PROTOCOL`: `http/protobuf` (default) or `http/json`. */
  readonly protocol: "http/protobuf" | "http/json"
  /** `OTEL_SERVICE_NAME`, default `account-overview`. */
  readonly serviceName: string
  /** `OTEL_EXPORTER_OTLP_HEADERS` (`name=value,...`, values URL-encoded): sent with each export, never logged. */
  readonly headers: Option.Option<Redacted.Redacted<Readonly<Record<string, string>>>>
}

const optionalUrl = (name: string) =>
  Config.schema(Schema.Union([Schema.Literal(""), Schema.URL]), name).pipe(
    Config.option,
    Config.map(Option.flatMap((url) => (url === "" ? Option.none() : Option.some(url))))
  )

const protocol = (name: string) => Config.option(Config.Literals(["http/protobuf", "http/json"], name))

const tracesUrl = (base: URL): string => {
  const url = new URL(base)
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/v1/traces`
  return url.href
}

/**
 * The tracing settings from the OpenTelemetry environment variables:
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (the full URL) or
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (a base URL, `/v1/traces` appended), the
 * `..._PROTOCOL`, `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_SERVICE_NAME`; none
 * when no endpoint is set or `OTEL_SDK_DISABLED` is true.
 *
 * @since 0.2.0
 * @category config
 */
export const tracingConfig: Config.Config<Option.Option<TracingSettings>> = Config.all({
  traces: optionalUrl("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
  base: optionalUrl("OTEL_EXPORTER_OTLP_ENDPOINT"),
  tracesProtocol: protocol("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"),
  baseProtocol: protocol("OTEL_EXPORTER_OTLP_PROTOCOL"),
  headers: Config.option(Config.Record(Schema.String, Schema.StringFromUriComponent, "OTEL_EXPORTER_OTLP_HEADERS")),
  serviceName: Config.String("OTEL_SERVICE_NAME").pipe(Config.withDefault("account-overview")),
  disabled: Config.Boolean("OTEL_SDK_DISABLED").pipe(Config.withDefault(false))
}).pipe(
  Config.map((c): Option.Option<TracingSettings> => {
    if (c.disabled) return Option.none()
    const url = Option.orElse(
      Option.map(c.traces, (u) => u.href),
      () => Option.map(c.base, tracesUrl)
    )
    return Option.map(url, (href) => ({
      url: href,
      protocol: Option.getOrElse(
        Option.orElse(c.tracesProtocol, () => c.baseProtocol),
        () => "http/protobuf" as const
      ),
      serviceName: c.serviceName.trim() === "" ? "account-overview" : c.serviceName,
      headers: Option.map(c.headers, (headers) => Redacted.make(headers))
    }))
  })
)

/**
 * The settings as one `Config`, from `PORT`, `HOST`, `DATA_DIR`, `LOG_LEVEL`, `RATE_LIMIT_PER_MINUTE`, `AUTH_FAILURE_LIMIT`, `ADMIN_TOKEN`,
 * `TRUST_PROXY`, `REDIS_URL`, `REDIS_KEY_PREFIX`, `HEADERS_TIMEOUT_MS`, `REQUEST_TIMEOUT_MS`,
 * `KEEP_ALIVE_TIMEOUT_MS` and `SHUTDOWN_TIMEOUT_MS`.
 * Also `BUILD_COMMIT`, the OpenTelemetry variables of `tracingConfig`, and
 * the webhooks' `WEBHOOK_ALLOWED_HOSTS`, `WEBHOOK_TIMEOUT_MS`,
 * `WEBHOOK_RETRY_WINDOW_MS`, `WEBHOOK_BACKOFF_BASE_MS`,
 * `WEBHOOK_BACKOFF_MAX_MS` and `WEBHOOK_POLL_MS`.
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
  shutdownTimeoutMs: millis("SHUTDOWN_TIMEOUT_MS", 10_000),
  buildCommit: Config.String("BUILD_COMMIT").pipe(Config.option, Config.map(Option.filter((c) => c.trim() !== ""))),
  tracing: tracingConfig,
  webhookAllowedHosts: Config.schema(WebhookHostsText, "WEBHOOK_ALLOWED_HOSTS").pipe(
    Config.withDefault(""),
    Config.map((text) => {
      const parsed = parseWebhookHosts(text)
      return "_tag" in parsed ? noWebhookHosts : parsed
    })
  ),
  webhookTimeoutMs: positiveMillis("WEBHOOK_TIMEOUT_MS", 10_000),
  webhookRetryWindowMs: positiveMillis("WEBHOOK_RETRY_WINDOW_MS", 86_400_000),
  webhookBackoffBaseMs: positiveMillis("WEBHOOK_BACKOFF_BASE_MS", 5_000),
  webhookBackoffMaxMs: positiveMillis("WEBHOOK_BACKOFF_MAX_MS", 3_600_000),
  webhookPollMs: positiveMillis("WEBHOOK_POLL_MS", 1_000)
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
  shutdownTimeoutMs: 10_000,
  buildCommit: Option.none(),
  tracing: Option.none(),
  webhookAllowedHosts: noWebhookHosts,
  webhookTimeoutMs: 10_000,
  webhookRetryWindowMs: 86_400_000,
  webhookBackoffBaseMs: 5_000,
  webhookBackoffMaxMs: 3_600_000,
  webhookPollMs: 1_000
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
