/**
 * The operator client, derived from core's `OperatorApi` with
 * `HttpApiClient.make` (no hand-written fetches): packages, resellers,
 * customers, overviews and usage ingestion in batches. An Effect service
 * (`OperatorClient`) and a Promise facade (`createOperatorClient`), both
 * failing with the SDK's error classes and retrying as the overview call
 * does.
 *
 * @since 0.1.0
 */
import {
  type CalendarDate,
  type Customer,
  type CustomerOverview,
  maxEventsPerBatch,
  OperatorApi,
  OperatorAuth,
  OperatorBatchTooLarge,
  OperatorInvalid,
  OperatorNotFound,
  OperatorUnauthorized,
  OperatorUnavailable,
  type Overview,
  type Package,
  type ResellerKeyResult,
  type UsageEvent
} from "@account-overview/core"
import { Cause, Config, Context, Effect, Layer, Redacted, Schema } from "effect"
import { FetchHttpClient, HttpClientError, HttpClientRequest } from "effect/http"
import { HttpApiClient, HttpApiMiddleware } from "effect/http-api"
import type { BackoffOptions } from "./Client.js"
import {
  AbortedError,
  type AccountOverviewError,
  AuthenticationError,
  ConnectionError,
  DecodeError,
  type ErrorDetails,
  InvalidRequestError,
  NotFoundError,
  RateLimitError,
  ServerError,
  TimeoutError
} from "./Errors.js"
import { runAsPromise } from "./internal/client.js"
import { makeScrub, type Scrub, safeCause } from "./internal/redact.js"
import { parseRetryAfter, withRetries, withRetryAfter } from "./internal/retry.js"
import {
  checkBaseUrl,
  checkCount,
  checkPositive,
  type Env,
  env,
  fromEnv,
  processEnv,
  requireSetting,
  resolveBackoff
} from "./internal/settings.js"

/**
 * Options of the operator client.
 *
 * @since 0.1.0
 * @category models
 */
export interface OperatorClientOptions {
  /** The service's base URL; env `ACCOUNT_OVERVIEW_BASE_URL`. */
  readonly baseUrl?: string | URL | undefined
  /** The operator token (`ADMIN_TOKEN` of the service); env `ACCOUNT_OVERVIEW_ADMIN_TOKEN`. Never shown in errors. */
  readonly adminToken?: string | undefined
  /** Time allowed to one attempt, in ms (default 30000). */
  readonly timeoutMs?: number | undefined
  /** Time allowed to one call, retries included, in ms (default 120000); for `ingest`, to each batch. */
  readonly deadlineMs?: number | undefined
  /** Retries after the first attempt (default 2); `rotateKey` is never retried. */
  readonly maxRetries?: number | undefined
  readonly backoff?: BackoffOptions | undefined
  /** Aborts every call of the client (Promise API). */
  readonly signal?: AbortSignal | undefined
  /** The fetch beneath effect's `FetchHttpClient`; `globalThis.fetch` when not given. */
  readonly fetch?: typeof globalThis.fetch | undefined
  /** Where the environment settings are read; `process.env` when there is one. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
}

/**
 * A page of a listing; pass `nextCursor` as `cursor` for the next one.
 *
 * @since 0.1.0
 * @category models
 */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly nextCursor?: string | undefined
}

/**
 * What `resellers.set` and `resellers.rotateKey` answer; `apiKey` is there
 * only when the service generated it, this once.
 *
 * @since 0.1.0
 * @category models
 */
export type ResellerKey = typeof ResellerKeyResult.Type

/**
 * A customer's overview in a reseller's listing.
 *
 * @since 0.1.0
 * @category models
 */
export type CustomerOverviewItem = typeof CustomerOverview.Type

/**
 * The fields of a customer as `customers.set` takes them.
 *
 * @since 0.1.0
 * @category models
 */
export interface CustomerInput {
  readonly reseller: string
  readonly package: string
  /** `YYYY-MM-DD`; only its day of month matters. */
  readonly billingAnchor: string
  readonly reputation: number
}

/**
 * Progress of an ingestion, after each batch.
 *
 * @since 0.1.0
 * @category models
 */
export interface IngestProgress {
  /** The batch just stored, from 1. */
  readonly batch: number
  readonly events: number
  readonly accepted: number
  readonly duplicates: number
  readonly conflicts: number
  /** Events sent so far, this batch included. */
  readonly totalEvents: number
  readonly totalAccepted: number
}

/**
 * Options of `ingest`.
 *
 * @since 0.1.0
 * @category models
 */
export interface IngestOptions {
  /** Events per request, 1 to 10000 (default 10000). */
  readonly batchSize?: number | undefined
  readonly onBatch?: ((progress: IngestProgress) => void) | undefined
  /** Stops the ingestion between or during batches (Promise API); stored batches stay stored. */
  readonly signal?: AbortSignal | undefined
}

/**
 * The outcome of an ingestion. A batch retried after a lost answer may count
 * as duplicates the events its first attempt stored.
 *
 * @since 0.1.0
 * @category models
 */
export interface IngestSummary {
  readonly events: number
  readonly accepted: number
  readonly duplicates: number
  /** Ids already stored with other content: not stored. */
  readonly conflicts: ReadonlyArray<string>
  readonly batches: number
}

type Op<A> = Effect.Effect<A, AccountOverviewError>

/**
 * The operator API as Effects failing with the SDK's error classes.
 *
 * @since 0.1.0
 * @category models
 */
export interface OperatorClientService {
  readonly packages: {
    readonly set: (name: string, input: { readonly credits: number; readonly overagePrice?: number }) => Op<Package>
    readonly list: () => Op<ReadonlyArray<Package>>
  }
  readonly resellers: {
    readonly set: (apiUser: string, input?: { readonly apiKey?: string | undefined }) => Op<ResellerKey>
    readonly rotateKey: (apiUser: string) => Op<ResellerKey>
    readonly overviews: (
      apiUser: string,
      query?: {
        readonly date?: string | undefined
        readonly limit?: number | undefined
        readonly cursor?: string | undefined
      }
    ) => Op<Page<CustomerOverviewItem>>
  }
  readonly customers: {
    readonly set: (user: string, input: CustomerInput) => Op<Customer>
    readonly get: (user: string) => Op<Customer>
    readonly list: (query?: {
      readonly reseller?: string | undefined
      readonly limit?: number | undefined
      readonly cursor?: string | undefined
    }) => Op<Page<Customer>>
    readonly overview: (user: string, query?: { readonly date?: string | undefined }) => Op<Overview>
  }
  readonly ingest: (
    events: Iterable<UsageEvent> | AsyncIterable<UsageEvent>,
    options?: IngestOptions
  ) => Op<IngestSummary>
}

type Promised<S> = {
  readonly [K in keyof S]: S[K] extends (...args: infer A) => Effect.Effect<infer R, AccountOverviewError>
    ? (...args: A) => Promise<R>
    : Promised<S[K]>
}

/**
 * The operator API as Promises rejecting with the SDK's error classes.
 *
 * @since 0.1.0
 * @category models
 */
export type PromiseOperatorClient = Promised<OperatorClientService> & {
  /** Releases the client; calls after it are refused. */
  readonly close: () => Promise<void>
}

class ResponseDecodeFailure {
  constructor(readonly error: Schema.SchemaError) {}
}

const segment = (s: string) => encodeURIComponent(s)

const statusError = (status: number, base: ErrorDetails, retryAfterMs: number | undefined): AccountOverviewError => {
  switch (status) {
    case 401:
    case 403:
      return new AuthenticationError(base)
    case 404:
      return new NotFoundError(base)
    case 408:
      return new TimeoutError(base)
    case 429:
      return new RateLimitError({ ...base, retryAfterMs })
  }
  if (status >= 500) return withRetryAfter(new ServerError(base), retryAfterMs)
  if (status >= 400) return new InvalidRequestError(base)
  return new ServerError({ ...base, messages: [`unexpected status ${status}`] })
}

const toSdkError = (failure: unknown, base: ErrorDetails, scrub: Scrub): AccountOverviewError => {
  const message = (m: unknown) => [scrub(String(m))]
  if (failure instanceof OperatorUnauthorized) {
    return new AuthenticationError({ ...base, status: 401, messages: message(failure.message) })
  }
  if (failure instanceof OperatorNotFound) {
    return new NotFoundError({ ...base, status: 404, messages: message(failure.message) })
  }
  if (failure instanceof OperatorInvalid) {
    return new InvalidRequestError({
      ...base,
      status: 400,
      messages: message(failure.message),
      problems: failure.problems.map((p) => ({ ...p, message: scrub(p.message) }))
    })
  }
  if (failure instanceof OperatorBatchTooLarge) {
    return new InvalidRequestError({ ...base, status: 413, messages: message(failure.message) })
  }
  if (failure instanceof OperatorUnavailable) {
    return new ServerError({ ...base, status: 503, messages: message(failure.message) })
  }
  if (failure instanceof ResponseDecodeFailure) {
    return new DecodeError({ ...base, reason: scrub(failure.error.message) })
  }
  if (Schema.isSchemaError(failure)) {
    return new InvalidRequestError({ ...base, messages: message(failure.message) })
  }
  if (Cause.isTimeoutError(failure)) return new TimeoutError({ ...base, messages: ["no complete answer in time"] })
  if (HttpClientError.isHttpClientError(failure)) {
    const reason = failure.reason
    switch (reason._tag) {
      case "StatusCodeError":
      case "DecodeError":
      case "EmptyBodyError": {
        const { status, headers } = reason.response
        const requestId = headers["x-request-id"]
        const withResponse = { ...base, status, ...(requestId === undefined ? {} : { requestId }) }
        if (reason._tag !== "StatusCodeError" && status >= 200 && status < 300) {
          return new DecodeError({ ...withResponse, reason: scrub(reason.message) })
        }
        return statusError(status, withResponse, parseRetryAfter(headers["retry-after"], Date.now()))
      }
      case "TransportError":
        return new ConnectionError({ ...base, cause: safeCause(reason.cause ?? reason, scrub) })
      default:
        return new InvalidRequestError({ ...base, messages: message(reason.message) })
    }
  }
  return new ConnectionError({ ...base, cause: safeCause(failure, scrub) })
}

/**
 * The operator client as an Effect service.
 *
 * @since 0.1.0
 * @category services
 */
export class OperatorClient extends Context.Service<OperatorClient, OperatorClientService>()(
  "@account-overview/sdk/OperatorClient"
) {
  /**
   * The service over effect's `FetchHttpClient`; throws `ConfigurationError`
   * (a defect) for a missing or invalid setting.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layer = (options: OperatorClientOptions = {}): Layer.Layer<OperatorClient> =>
    Layer.effect(
      OperatorClient,
      Effect.suspend(() => make(options, options.env ?? processEnv()))
    )

  /**
   * The service with the base URL and token read through `Config`
   * (`ACCOUNT_OVERVIEW_BASE_URL`, `ACCOUNT_OVERVIEW_ADMIN_TOKEN` redacted).
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layerConfig = (
    options: Omit<OperatorClientOptions, "baseUrl" | "adminToken" | "env"> = {}
  ): Layer.Layer<OperatorClient, Config.ConfigError> =>
    Layer.unwrap(
      Effect.gen(function* () {
        const baseUrl = yield* Config.URL(env.baseUrl)
        const token = yield* Config.Redacted(env.adminToken)
        return Layer.effect(
          OperatorClient,
          Effect.suspend(() => make({ ...options, baseUrl, adminToken: Redacted.value(token) }, {}))
        )
      })
    )
}

interface Resolved {
  readonly baseUrl: string
  readonly token: Redacted.Redacted<string>
  readonly timeoutMs: number
  readonly deadlineMs: number
  readonly maxRetries: number
  readonly backoff: ReturnType<typeof resolveBackoff>
}

const resolve = (options: OperatorClientOptions, environment: Env): Resolved => ({
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

const make = (options: OperatorClientOptions, environment: Env): Effect.Effect<OperatorClientService> =>
  Effect.gen(function* () {
    const settings = resolve(options, environment)
    const scrub = makeScrub([Redacted.value(settings.token)])
    const auth = HttpApiMiddleware.layerClient(OperatorAuth, ({ next, request }) =>
      next(HttpClientRequest.bearerToken(request, settings.token))
    )
    const http =
      options.fetch === undefined
        ? FetchHttpClient.layer
        : FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, options.fetch)))
    const api = yield* HttpApiClient.make(OperatorApi, {
      baseUrl: settings.baseUrl,
      transformResponse: (decoding) =>
        Effect.mapError(decoding, (error) => (Schema.isSchemaError(error) ? new ResponseDecodeFailure(error) : error))
    }).pipe(Effect.provide(Layer.merge(auth, http)))

    const call = <A>(
      method: string,
      path: string,
      run: () => Effect.Effect<A, unknown>,
      retries = settings.maxRetries
    ) =>
      Effect.suspend(() => {
        const deadlineAt = Date.now() + settings.deadlineMs
        return withRetries(
          (n) =>
            Effect.suspend(() =>
              run().pipe(
                Effect.timeout(Math.max(1, Math.min(settings.timeoutMs, deadlineAt - Date.now()))),
                Effect.mapError((failure) => toSdkError(failure, { method, path, attempts: n + 1 }, scrub))
              )
            ),
          { maxRetries: retries, backoff: settings.backoff, deadlineAt }
        )
      })

    const ingest = (events: Iterable<UsageEvent> | AsyncIterable<UsageEvent>, ingestOptions: IngestOptions = {}) =>
      Effect.suspend(() => {
        const iterator =
          Symbol.asyncIterator in events
            ? (events as AsyncIterable<UsageEvent>)[Symbol.asyncIterator]()
            : (events as Iterable<UsageEvent>)[Symbol.iterator]()
        let done = false
        return ingestFrom(iterator, ingestOptions, () => (done = true)).pipe(
          Effect.ensuring(
            Effect.sync(() => {
              if (!done) Promise.resolve(iterator.return?.()).catch(() => undefined)
            })
          )
        )
      })

    const ingestFrom = (
      iterator: Iterator<UsageEvent> | AsyncIterator<UsageEvent>,
      ingestOptions: IngestOptions,
      exhausted: () => void
    ) =>
      Effect.gen(function* () {
        const batchSize = yield* Effect.try({
          try: () => checkCount(ingestOptions.batchSize ?? maxEventsPerBatch, "batchSize", 1, maxEventsPerBatch),
          catch: (error) => error as AccountOverviewError
        })
        const pull = Effect.promise(async () => iterator.next())
        let sent = 0
        let accepted = 0
        let duplicates = 0
        let batches = 0
        const conflicts: Array<string> = []
        let batch: Array<UsageEvent> = []
        let done = false
        const flush = Effect.gen(function* () {
          const offset = sent
          const payload = batch
          batch = []
          const result = yield* call("POST", "/v1/usage", () => api.usage.ingest({ payload })).pipe(
            Effect.mapError((error) =>
              error instanceof InvalidRequestError && error.problems.length > 0
                ? new InvalidRequestError({
                    status: error.status,
                    method: error.method,
                    path: error.path,
                    attempts: error.attempts,
                    messages: [
                      ...error.messages,
                      `events before index ${offset} were stored (${batches} batches); none of this batch was`
                    ],
                    problems: error.problems.map((p) => ({ ...p, index: p.index + offset }))
                  })
                : error
            )
          )
          sent += payload.length
          batches++
          accepted += result.accepted
          duplicates += result.duplicates.length
          for (const id of result.conflicts) conflicts.push(id)
          ingestOptions.onBatch?.({
            batch: batches,
            events: payload.length,
            accepted: result.accepted,
            duplicates: result.duplicates.length,
            conflicts: result.conflicts.length,
            totalEvents: sent,
            totalAccepted: accepted
          })
        })
        while (!done) {
          const next = yield* pull
          if (next.done === true) {
            done = true
            exhausted()
          } else batch.push(next.value)
          if (batch.length === batchSize || (done && batch.length > 0)) yield* flush
        }
        return { events: sent, accepted, duplicates, conflicts, batches }
      })

    return OperatorClient.of({
      packages: {
        set: (name, input) =>
          call("PUT", `/v1/packages/${segment(name)}`, () =>
            api.packages.set({
              params: { name },
              payload: input.overagePrice === undefined ? { credits: input.credits } : input
            })
          ),
        list: () => call("GET", "/v1/packages", () => api.packages.list())
      },
      resellers: {
        set: (apiUser, input = {}) =>
          call("PUT", `/v1/resellers/${segment(apiUser)}`, () =>
            api.resellers.set({
              params: { apiUser },
              payload: input.apiKey === undefined ? {} : { apiKey: input.apiKey }
            })
          ),
        rotateKey: (apiUser) =>
          call(
            "POST",
            `/v1/resellers/${segment(apiUser)}/rotate-key`,
            () => api.resellers.rotateKey({ params: { apiUser } }),
            0
          ),
        overviews: (apiUser, query = {}) =>
          call("GET", `/v1/resellers/${segment(apiUser)}/overviews`, () =>
            api.resellers.overviews({
              params: { apiUser },
              query: {
                ...(query.date === undefined ? {} : { date: query.date as CalendarDate }),
                ...(query.limit === undefined ? {} : { limit: query.limit }),
                ...(query.cursor === undefined ? {} : { cursor: query.cursor })
              }
            })
          )
      },
      customers: {
        set: (user, input) =>
          call("PUT", `/v1/customers/${segment(user)}`, () =>
            api.customers.set({
              params: { user },
              payload: {
                reseller: input.reseller,
                package: input.package,
                billingAnchor: input.billingAnchor as CalendarDate,
                reputation: input.reputation
              }
            })
          ),
        get: (user) => call("GET", `/v1/customers/${segment(user)}`, () => api.customers.get({ params: { user } })),
        list: (query = {}) =>
          call("GET", "/v1/customers", () =>
            api.customers.list({
              query: {
                ...(query.reseller === undefined ? {} : { reseller: query.reseller }),
                ...(query.limit === undefined ? {} : { limit: query.limit }),
                ...(query.cursor === undefined ? {} : { cursor: query.cursor })
              }
            })
          ),
        overview: (user, query = {}) =>
          call("GET", `/v1/customers/${segment(user)}/overview`, () =>
            api.customers.overview({
              params: { user },
              query: query.date === undefined ? {} : { date: query.date as CalendarDate }
            })
          )
      },
      ingest
    })
  })

/**
 * Creates the operator client with Promise methods. Options left out come
 * from the environment (`ACCOUNT_OVERVIEW_BASE_URL`,
 * `ACCOUNT_OVERVIEW_ADMIN_TOKEN`, read now); a missing or invalid setting
 * throws `ConfigurationError`.
 *
 * @example
 * ```ts
 * import { createOperatorClient } from "@account-overview/sdk"
 *
 * const operator = createOperatorClient({ baseUrl: "http://localhost:3000", adminToken: "t0ken" })
 * await operator.packages.set("Silver Package", { credits: 50000 })
 * const { accepted, conflicts } = await operator.ingest(events, { onBatch: (p) => console.error(p.totalEvents) })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const createOperatorClient = (options: OperatorClientOptions = {}): PromiseOperatorClient => {
  const environment = options.env ?? processEnv()
  resolve(options, environment)
  const service = Effect.runSync(make(options, environment))
  let closed = false
  const run =
    <A>(method: string, path: string, signal?: AbortSignal | undefined) =>
    (effect: Op<A>): Promise<A> => {
      if (closed) return Promise.reject(new AbortedError({ method, path, messages: ["the client is closed"] }))
      const signals = [options.signal, signal].filter((s): s is AbortSignal => s !== undefined)
      const combined = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals)
      return runAsPromise(effect, combined, () => new AbortedError({ method, path }))
    }
  return {
    packages: {
      set: (name, input) => run<Package>("PUT", `/v1/packages/${segment(name)}`)(service.packages.set(name, input)),
      list: () => run<ReadonlyArray<Package>>("GET", "/v1/packages")(service.packages.list())
    },
    resellers: {
      set: (apiUser, input) =>
        run<ResellerKey>("PUT", `/v1/resellers/${segment(apiUser)}`)(service.resellers.set(apiUser, input)),
      rotateKey: (apiUser) =>
        run<ResellerKey>("POST", `/v1/resellers/${segment(apiUser)}/rotate-key`)(service.resellers.rotateKey(apiUser)),
      overviews: (apiUser, query) =>
        run<Page<CustomerOverviewItem>>(
          "GET",
          `/v1/resellers/${segment(apiUser)}/overviews`
        )(service.resellers.overviews(apiUser, query))
    },
    customers: {
      set: (user, input) => run<Customer>("PUT", `/v1/customers/${segment(user)}`)(service.customers.set(user, input)),
      get: (user) => run<Customer>("GET", `/v1/customers/${segment(user)}`)(service.customers.get(user)),
      list: (query) => run<Page<Customer>>("GET", "/v1/customers")(service.customers.list(query)),
      overview: (user, query) =>
        run<Overview>("GET", `/v1/customers/${segment(user)}/overview`)(service.customers.overview(user, query))
    },
    ingest: (events, ingestOptions) =>
      run<IngestSummary>("POST", "/v1/usage", ingestOptions?.signal)(service.ingest(events, ingestOptions)),
    close: async () => {
      closed = true
    }
  }
}
