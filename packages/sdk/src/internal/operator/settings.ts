/**
 * The operator client's options to settings: the base URL and the token from
 * the options or the environment, the timeouts, retries and waits checked,
 * defaults applied; a `ConfigurationError` naming a bad setting.
 */
import { Redacted } from "effect"
import type { OperatorClientOptions } from "../../OperatorClient.js"
import type { Backoff } from "../retry.js"
import {
  checkBaseUrl,
  checkCount,
  checkPositive,
  type Env,
  env,
  fromEnv,
  requireSetting,
  resolveBackoff
} from "../settings.js"

export interface OperatorSettings {
  readonly baseUrl: string
  readonly token: Redacted.Redacted<string>
  readonly timeoutMs: number
  readonly deadlineMs: number
  readonly maxRetries: number
  readonly backoff: Backoff
}

/** Throws `ConfigurationError`. */
export const resolveOperatorSettings = (options: OperatorClientOptions, environment: Env): OperatorSettings => ({
  baseUrl: checkBaseUrl(
    requireSetting(fromEnv(options.baseUrl?.toString(), env.baseUrl, environment), "baseUrl", env.baseUrl),
    "baseUrl"
  ),
  token: Redacted.make(
    requireSetting(fromEnv(options.adminToken, env.adminToken, environment), "adminToken", env.adminToken)
  ),
  timeoutMs: checkPositive(options.timeoutMs ?? 30_000, "timeoutMs"),
  deadlineMs: checkPositive(options.deadlineMs ?? 120_000, "deadlineMs"),
  maxRetries: checkCount(options.maxRetries ?? 2, "maxRetries", 0, 100),
  backoff: resolveBackoff(options.backoff)
})
