/**
 * Options to settings: defaults, validation (a `ConfigurationError` naming
 * the setting, never its value) and the environment fallback of the
 * connection settings, for the overview call and the operator client.
 */
import type { Dialect, Format } from "@account-overview/core"
import { Effect } from "effect"
import type { BackoffOptions, ClientOptions, OverviewOptions } from "../Client.js"
import { ConfigurationError } from "../Errors.js"
import { type Backoff, defaultBackoff } from "./retry.js"
import { version } from "./version.js"

export type Method = "GET" | "POST"

export const env = {
  baseUrl: "ACCOUNT_OVERVIEW_BASE_URL",
  apiUser: "ACCOUNT_OVERVIEW_API_USER",
  apiKey: "ACCOUNT_OVERVIEW_API_KEY",
  adminToken: "ACCOUNT_OVERVIEW_ADMIN_TOKEN"
} as const

export const defaults = {
  format: "json",
  dialect: "v1",
  method: "POST",
  timeoutMs: 10_000,
  deadlineMs: 60_000,
  maxRetries: 2,
  maxResponseBytes: 1024 * 1024,
  userAgent: `account-overview-sdk/${version}`
} as const

/** The settings of the overview call, checked, defaults applied. */
export interface EngineSettings {
  readonly baseUrl: string
  readonly format: Format
  readonly dialect: Dialect
  readonly method: Method
  readonly timeoutMs: number
  readonly deadlineMs: number
  readonly maxRetries: number
  readonly maxResponseBytes: number
  readonly backoff: Backoff
  readonly userAgent: string
}

export type Env = Readonly<Record<string, string | undefined>>

/** The process environment when there is one (Node, Deno, Bun), else nothing. */
export const processEnv = (): Env => {
  const process = (globalThis as { process?: { env?: Env } }).process
  return process?.env ?? {}
}

const isBlank = (value: string | undefined): value is undefined => value === undefined || value.trim() === ""

/** An option, else a non-blank environment variable, else `undefined`. */
export const fromEnv = (value: string | undefined, name: string, environment: Env): string | undefined =>
  value !== undefined ? value : isBlank(environment[name]) ? undefined : environment[name]

export const requireSetting = (value: string | undefined, option: string, envName?: string): string => {
  if (value === undefined) {
    throw new ConfigurationError(
      option,
      envName === undefined ? "is not set" : `is not set: pass the ${option} option or set ${envName}`
    )
  }
  if (value.length === 0) throw new ConfigurationError(option, "is empty")
  return value
}

export const checkBaseUrl = (input: string | URL, setting: string): string => {
  let url: URL
  try {
    url = new URL(String(input))
  } catch {
    throw new ConfigurationError(setting, "is not a valid absolute URL")
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigurationError(setting, "must be an http: or https: URL")
  }
  if (url.username !== "" || url.password !== "") {
    throw new ConfigurationError(setting, "must not carry credentials")
  }
  if (url.search !== "" || url.hash !== "") {
    throw new ConfigurationError(setting, "must not have a query string or a fragment")
  }
  return url.href.replace(/\/+$/, "")
}

const oneOf = <const A extends string>(value: string | undefined, allowed: ReadonlyArray<A>, setting: string): A => {
  if (value === undefined || !allowed.includes(value as A)) {
    throw new ConfigurationError(setting, `must be one of ${allowed.join(", ")}`)
  }
  return value as A
}

export const checkFormat = (value: string | undefined, setting = "format"): Format =>
  oneOf(value, ["json", "xml"], setting)
export const checkDialect = (value: string | undefined, setting = "dialect"): Dialect =>
  oneOf(value, ["v1", "v2"], setting)
export const checkMethod = (value: string | undefined, setting = "method"): Method =>
  oneOf(value?.toUpperCase(), ["POST", "GET"], setting)

export const checkPositive = (value: number, setting: string): number => {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(setting, "must be a positive number")
  }
  return value
}

export const checkCount = (value: number, setting: string, min: number, max: number): number => {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(setting, `must be an integer from ${min} to ${max}`)
  }
  return value
}

const checkNonNegative = (value: number, setting: string): number => {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new ConfigurationError(setting, "must be a non-negative number")
  }
  return value
}

export const resolveBackoff = (options: BackoffOptions | undefined): Backoff => ({
  baseMs: checkNonNegative(options?.baseMs ?? defaultBackoff.baseMs, "backoff.baseMs"),
  capMs: checkNonNegative(options?.capMs ?? defaultBackoff.capMs, "backoff.capMs"),
  maxRetryAfterMs: checkNonNegative(
    options?.maxRetryAfterMs ?? defaultBackoff.maxRetryAfterMs,
    "backoff.maxRetryAfterMs"
  )
})

/** The engine settings from options whose `baseUrl` is already resolved; throws `ConfigurationError`. */
export const resolveEngineSettings = (options: ClientOptions, baseUrl: string | URL): EngineSettings => ({
  baseUrl: checkBaseUrl(baseUrl, "baseUrl"),
  format: checkFormat(options.format ?? defaults.format),
  dialect: checkDialect(options.dialect ?? defaults.dialect),
  method: checkMethod(options.method ?? defaults.method),
  timeoutMs: checkPositive(options.timeoutMs ?? defaults.timeoutMs, "timeoutMs"),
  deadlineMs: checkPositive(options.deadlineMs ?? defaults.deadlineMs, "deadlineMs"),
  maxRetries: checkCount(options.maxRetries ?? defaults.maxRetries, "maxRetries", 0, 100),
  maxResponseBytes: checkCount(
    options.maxResponseBytes ?? defaults.maxResponseBytes,
    "maxResponseBytes",
    1,
    Number.MAX_SAFE_INTEGER
  ),
  backoff: resolveBackoff(options.backoff),
  userAgent: options.userAgent ?? defaults.userAgent
})

/** Per-call choices that override the engine's settings, checked. */
export interface CallOverrides {
  readonly format: Format
  readonly dialect: Dialect
  readonly timeoutMs: number
}

/** The per-call options over the engine's settings; throws `ConfigurationError`. */
export const resolveCallOverrides = (
  settings: EngineSettings,
  options: Omit<OverviewOptions, "signal"> | undefined
): CallOverrides =>
  options === undefined
    ? settings
    : {
        format: options.format === undefined ? settings.format : checkFormat(options.format),
        dialect: options.dialect === undefined ? settings.dialect : checkDialect(options.dialect),
        timeoutMs: options.timeoutMs === undefined ? settings.timeoutMs : checkPositive(options.timeoutMs, "timeoutMs")
      }

/**
 * Runs a resolution that throws `ConfigurationError` as an effect failing
 * with it (the layers' settings come from outside the program); anything
 * else it throws stays a defect.
 */
export const configured = <A>(resolve: () => A): Effect.Effect<A, ConfigurationError> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(resolve())
    } catch (error) {
      if (error instanceof ConfigurationError) return Effect.fail(error)
      throw error
    }
  })
