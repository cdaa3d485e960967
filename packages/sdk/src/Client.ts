/**
 * The overview client's options and models: `ClientOptions`, the one
 * options type (`createClient` takes it, the Effect layers take
 * `RemoteOptions`, derived from it), and the Promise client of the overview
 * call of any endpoint speaking the `distributor.account` (v1) or
 * `reseller.account` (v2) wire, with retries, timeouts, a deadline and
 * abort.
 *
 * @since 0.1.0
 */
import type { Credentials, Dialect, Format, Overview } from "@account-overview/core"
import type { AccountOverviewError } from "./Errors.js"
import type { Transport } from "./Transport.js"
import type { WithResponse } from "./WithResponse.js"

/**
 * The waits between attempts: full-jitter exponential backoff, a random wait
 * in `[0, min(capMs, baseMs * 2^retry)]`, unless the server answered a
 * `Retry-After`, honoured when it is at most `maxRetryAfterMs` (else the call
 * fails at once).
 *
 * @since 0.1.0
 * @category models
 */
export interface BackoffOptions {
  /** Default 250. */
  readonly baseMs?: number | undefined
  /** Default 8000. */
  readonly capMs?: number | undefined
  /** Default 60000. */
  readonly maxRetryAfterMs?: number | undefined
}

/**
 * Options of `createClient`. Every option may be left out; the three
 * connection settings then come from the environment.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions {
  /** The endpoint's base URL, e.g. `https://api.example.com`; env `ACCOUNT_OVERVIEW_BASE_URL`. */
  readonly baseUrl?: string | URL | undefined
  /** The reseller's `api_user`; env `ACCOUNT_OVERVIEW_API_USER`. */
  readonly apiUser?: string | undefined
  /** The reseller's `api_key`; env `ACCOUNT_OVERVIEW_API_KEY`. Never shown in errors. */
  readonly apiKey?: string | undefined
  /** Wire format: `"json"` (default) or `"xml"`. */
  readonly format?: Format | undefined
  /** Wire dialect: `"v1"` (`/api/distributor.account`, default) or `"v2"` (`/apiv2/reseller.account`). */
  readonly dialect?: Dialect | undefined
  /** `"POST"` (form body, default) or `"GET"` (query string). */
  readonly method?: "POST" | "GET" | undefined
  /** Time allowed to one attempt, in ms (default 10000). */
  readonly timeoutMs?: number | undefined
  /** Time allowed to a call, retries and waits included, in ms (default 60000). */
  readonly deadlineMs?: number | undefined
  /** Retries after the first attempt (default 2). */
  readonly maxRetries?: number | undefined
  /** Largest response body read, in bytes (default 1 MiB). */
  readonly maxResponseBytes?: number | undefined
  /** Aborts every call of the client. */
  readonly signal?: AbortSignal | undefined
  /** The HTTP transport; undici on Node, fetch elsewhere. */
  readonly transport?: Transport | undefined
  /** The `User-Agent` header (default `account-overview-sdk/<this package's version>`). */
  readonly userAgent?: string | undefined
  /** The waits between attempts. */
  readonly backoff?: BackoffOptions | undefined
  /** Where the environment settings are read; `process.env` when there is one. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
}

/**
 * Options of the remote layers (`AccountOverviewsRemote.layer`): the
 * client's options with `credentials` (core's, the key `Redacted`) instead
 * of `apiUser` and `apiKey`, a `baseUrl` that must be given, and no `signal`
 * (interrupt the fiber instead) nor `env`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RemoteOptions extends Omit<ClientOptions, "baseUrl" | "apiUser" | "apiKey" | "signal" | "env"> {
  /** The endpoint's base URL. */
  readonly baseUrl: string | URL
  /** The credentials `AccountOverviewsRemote.overview` uses; `overviewWith` and `AccountOverviews` take their own. */
  readonly credentials?: Credentials | undefined
}

/**
 * Per-call options of `overview`; they take precedence over the client's.
 *
 * @since 0.1.0
 * @category models
 */
export interface OverviewOptions {
  readonly signal?: AbortSignal | undefined
  readonly timeoutMs?: number | undefined
  readonly format?: Format | undefined
  readonly dialect?: Dialect | undefined
}

/**
 * Per-call options of the Effect API: those of `overview` but `signal`
 * (interrupt the fiber instead).
 *
 * @since 0.1.0
 * @category models
 */
export interface RemoteCallOptions extends Omit<OverviewOptions, "signal"> {}

/**
 * Options of `overviews`.
 *
 * @since 0.1.0
 * @category models
 */
export interface OverviewsOptions {
  /** Calls in flight at once (default 8). */
  readonly concurrency?: number | undefined
  /** Stops the iteration: it then throws `AbortedError`. */
  readonly signal?: AbortSignal | undefined
}

/**
 * The outcome for one user of `overviews`.
 *
 * @since 0.1.0
 * @category models
 */
export type OverviewResult =
  | { readonly user: string; readonly ok: true; readonly overview: Overview }
  | { readonly user: string; readonly ok: false; readonly error: AccountOverviewError }

/**
 * A client of the overview call.
 *
 * @since 0.1.0
 * @category models
 */
export interface AccountOverviewClient {
  /** The overview of `user`'s current billing cycle; rejects with an `AccountOverviewError`. */
  overview(user: string, options?: OverviewOptions): Promise<Overview>
  /**
   * One result per user, in the order of `users`, with at most `concurrency`
   * calls in flight; a failing user gives an `ok: false` result and the
   * iteration goes on. Stopping the iteration aborts the calls in flight.
   */
  overviews(users: Iterable<string> | AsyncIterable<string>, options?: OverviewsOptions): AsyncIterable<OverviewResult>
  /**
   * The same calls, answering the parsed value with the response it came in
   * (`{ data, response: { status, headers, requestId } }`).
   */
  readonly withResponse: {
    overview(user: string, options?: OverviewOptions): Promise<WithResponse<Overview>>
  }
  /** A client with some options changed; it shares this client's connection pool. */
  withOptions(partial: ClientOptions): AccountOverviewClient
  /** Closes the connection pool this client created (a no-op for a given transport). */
  close(): Promise<void>
}
