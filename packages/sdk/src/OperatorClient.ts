/**
 * The operator client, derived from core's `OperatorApi` with
 * `HttpApiClient.make` (no hand-written fetches, no method or path written
 * again): packages, resellers, customers, overviews and usage ingestion in
 * batches. An Effect service (`OperatorClient`) failing with the SDK's error
 * classes, and a Promise facade (`createOperatorClient`) rejecting with the
 * same, both retrying as the overview call does.
 *
 * @since 0.1.0
 */
import type {
  AlertThreshold,
  Customer,
  CustomerCycles,
  CustomerOverview,
  Overview,
  Package,
  PackageAssignments,
  ResellerCycleReport,
  ResellerKeyResult,
  UsageEvent,
  VoidResult,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEventType,
  WebhookSecretRotation
} from "@account-overview/core"
import { Config, Context, Effect, Layer, Redacted, type Stream } from "effect"
import type { BackoffOptions } from "./Client.js"
import type { ClientError, ConfigurationError } from "./Errors.js"
import { promiseOperatorClient } from "./internal/operator/promise.js"
import { makeOperatorService } from "./internal/operator/service.js"
import { resolveOperatorSettings } from "./internal/operator/settings.js"
import { env, processEnv } from "./internal/settings.js"
import type { WithResponse } from "./WithResponse.js"

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
  /** The `User-Agent` header (default `account-overview-sdk/<this package's version>`). */
  readonly userAgent?: string | undefined
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
  /** An IANA time zone name (since 0.2.0); absent: the reseller's, else `UTC`. */
  readonly timeZone?: string | undefined
  /** Its own usage alert thresholds (since 0.2.0): percentages of the allowance and `"overage"`; absent: its package's. */
  readonly alertThresholds?: ReadonlyArray<AlertThreshold> | undefined
}

/**
 * The fields of a package as `packages.set` takes them.
 *
 * @since 0.2.0
 * @category models
 */
export interface PackageInput {
  readonly credits: number
  readonly overagePrice?: number | undefined
  /** Its customers' usage alert thresholds: percentages of the allowance and `"overage"`; absent: 80 and 100. */
  readonly alertThresholds?: ReadonlyArray<AlertThreshold> | undefined
}

/**
 * The fields of a webhook endpoint as `webhooks.set` takes them.
 *
 * @since 0.2.0
 * @category models
 */
export interface WebhookEndpointSettings {
  /** Where deliveries are `POST`ed: `http` or `https`, to a host the service allows. */
  readonly url: string
  /** The event types it wants, at least one (`usage.threshold_crossed`). */
  readonly events: ReadonlyArray<WebhookEventType>
  /** Only these resellers' customers' events; absent: every reseller's. */
  readonly resellers?: ReadonlyArray<string> | undefined
  /** Default `true`. */
  readonly enabled?: boolean | undefined
}

/**
 * The query of `webhooks.deliveries`.
 *
 * @since 0.2.0
 * @category models
 */
export interface DeliveriesQuery {
  /** Deliveries per page, 1 to 1000 (the service's default: 100). */
  readonly limit?: number | undefined
  /** Where to start: the `nextCursor` of an earlier page. */
  readonly cursor?: string | undefined
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

type Op<A> = Effect.Effect<A, ClientError>

/**
 * The query of `customers.list`.
 *
 * @since 0.2.0
 * @category models
 */
export interface CustomersQuery {
  readonly reseller?: string | undefined
  /** Customers per page, 1 to 1000 (the service's default: 100). */
  readonly limit?: number | undefined
  /** Where to start: the `nextCursor` of an earlier page. */
  readonly cursor?: string | undefined
}

/**
 * The query of `resellers.overviews`.
 *
 * @since 0.2.0
 * @category models
 */
export interface OverviewsQuery {
  /** `YYYY-MM-DD`: the day whose billing cycles are shown (default: today, UTC). */
  readonly date?: string | undefined
  /** Overviews per page, 1 to 1000 (the service's default: 100). */
  readonly limit?: number | undefined
  /** Where to start: the `nextCursor` of an earlier page. */
  readonly cursor?: string | undefined
}

/**
 * The single-request calls of the operator API as Effects failing with the
 * SDK's error classes: what `OperatorClientService` has besides the
 * paginating streams, `ingest` and `withResponse`.
 *
 * @since 0.2.0
 * @category models
 */
export interface OperatorCalls {
  readonly packages: {
    readonly set: (name: string, input: PackageInput) => Op<Package>
    readonly list: () => Op<ReadonlyArray<Package>>
  }
  readonly resellers: {
    readonly set: (
      apiUser: string,
      input?: { readonly apiKey?: string | undefined; readonly timeZone?: string | undefined }
    ) => Op<ResellerKey>
    readonly rotateKey: (apiUser: string) => Op<ResellerKey>
    readonly overviews: (apiUser: string, query?: OverviewsQuery) => Op<Page<CustomerOverviewItem>>
  }
  readonly customers: {
    readonly set: (user: string, input: CustomerInput) => Op<Customer>
    readonly get: (user: string) => Op<Customer>
    readonly list: (query?: CustomersQuery) => Op<Page<Customer>>
    readonly overview: (user: string, query?: { readonly date?: string | undefined }) => Op<Overview>
  }
  /**
   * Voids stored usage events by id (`POST /v1/usage/voids`, at most 10,000
   * per call): each counts in no overview, as if it was never sent. An id
   * voided before is a duplicate; an id that is not a stored event is an
   * `InvalidRequestError` whose problems name it by index, and nothing is
   * voided.
   *
   * @since 0.2.0
   */
  readonly voidEvents: (ids: ReadonlyArray<string>) => Op<VoidResult>
  /** Billing history and package changes (since 0.2.0). */
  readonly billing: {
    /** A customer's cycles overlapping `from`..`to` (defaults: the year up to its local today). */
    readonly cycles: (
      user: string,
      query?: { readonly from?: string | undefined; readonly to?: string | undefined }
    ) => Op<CustomerCycles>
    /** Changes a customer's package from today (`now`) or from the next cycle's first day (`nextCycle`). */
    readonly changePackage: (
      user: string,
      input: { readonly package: string; readonly effective: "now" | "nextCycle" }
    ) => Op<PackageAssignments>
    /** Cancels a customer's scheduled package change. */
    readonly cancelPackageChange: (user: string) => Op<PackageAssignments>
    /** A reseller's overage report of the cycles that closed (were processed) on `closedOn`. */
    readonly resellerCycles: (apiUser: string, query: { readonly closedOn: string }) => Op<ResellerCycleReport>
    /** The same report as CSV text. */
    readonly resellerCyclesCsv: (apiUser: string, query: { readonly closedOn: string }) => Op<string>
  }
  /**
   * Webhook endpoints and their delivery logs (since 0.2.0). A delivery is
   * verified on the receiving side with `verifyWebhook`.
   */
  readonly webhooks: {
    /** Creates or updates an endpoint; on creation the answer's `secret` is shown this once. */
    readonly set: (id: string, input: WebhookEndpointSettings) => Op<WebhookEndpoint>
    readonly list: () => Op<ReadonlyArray<WebhookEndpoint>>
    readonly get: (id: string) => Op<WebhookEndpoint>
    /** Deletes an endpoint (its pending deliveries are not attempted again); answers it as it was. */
    readonly remove: (id: string) => Op<WebhookEndpoint>
    /**
     * A new signing secret, shown this once; the old one keeps signing for
     * `graceSeconds` (the service's default: 24 hours). Never retried.
     */
    readonly rotateSecret: (
      id: string,
      input?: { readonly graceSeconds?: number | undefined }
    ) => Op<WebhookSecretRotation>
    /** A page of the endpoint's deliveries, newest first. */
    readonly deliveries: (id: string, query?: DeliveriesQuery) => Op<Page<WebhookDelivery>>
    /** Queues a delivery again, due now, with the same event id. */
    readonly redeliver: (id: string, deliveryId: string) => Op<WebhookDelivery>
  }
}

/**
 * The calls of `calls`, each answering its value with the response it came
 * in (`{ data, response }`).
 *
 * @since 0.2.0
 * @category models
 */
export type WithResponses<S> = {
  readonly [K in keyof S]: S[K] extends (...args: infer A) => Effect.Effect<infer R, infer E>
    ? (...args: A) => Effect.Effect<WithResponse<R>, E>
    : WithResponses<S[K]>
}

/**
 * The operator API as Effects failing with the SDK's error classes.
 *
 * @since 0.1.0
 * @category models
 */
export interface OperatorClientService {
  readonly packages: OperatorCalls["packages"]
  readonly resellers: OperatorCalls["resellers"] & {
    /**
     * Every overview of the reseller's customers, page after page (`limit`:
     * the page size), as one stream; a failed page fails the stream.
     */
    readonly overviewsAll: (apiUser: string, query?: OverviewsQuery) => Stream.Stream<CustomerOverviewItem, ClientError>
  }
  readonly customers: OperatorCalls["customers"] & {
    /** Every customer (of `reseller`, when given), page after page (`limit`: the page size), as one stream. */
    readonly listAll: (query?: CustomersQuery) => Stream.Stream<Customer, ClientError>
  }
  readonly ingest: (
    events: Iterable<UsageEvent> | AsyncIterable<UsageEvent>,
    options?: IngestOptions
  ) => Op<IngestSummary>
  /** Voids stored usage events by id (since 0.2.0). */
  readonly voidEvents: OperatorCalls["voidEvents"]
  /** Billing history and package changes (since 0.2.0). */
  readonly billing: OperatorCalls["billing"]
  /** Webhook endpoints and their delivery logs (since 0.2.0). */
  readonly webhooks: OperatorCalls["webhooks"]
  /**
   * The single-request calls, each answering its value with the response it
   * came in: `yield* client.withResponse.customers.get(user)` gives
   * `{ data, response: { status, headers, requestId } }`.
   */
  readonly withResponse: WithResponses<OperatorCalls>
}

/**
 * The Promise form of a record of Effect calls: each call a Promise, each
 * stream an async iterable.
 *
 * @since 0.2.0
 * @category models
 */
export type Promised<S> = {
  readonly [K in keyof S]: S[K] extends (...args: infer A) => Effect.Effect<infer R, ClientError>
    ? (...args: A) => Promise<R>
    : S[K] extends (...args: infer A) => Stream.Stream<infer R, ClientError>
      ? (...args: A) => AsyncIterable<R>
      : Promised<S[K]>
}

/**
 * The operator API as Promises rejecting with the SDK's error classes; the
 * paginating calls (`customers.listAll`, `resellers.overviewsAll`) as async
 * iterables (`for await (const customer of operator.customers.listAll())`),
 * which throw the same errors.
 *
 * @since 0.1.0
 * @category models
 */
export type PromiseOperatorClient = Promised<OperatorClientService> & {
  /** Releases the client; calls after it are refused. */
  readonly close: () => Promise<void>
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
   * The service over effect's `FetchHttpClient`; fails with
   * `ConfigurationError` for a missing or invalid setting.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layer = (options: OperatorClientOptions = {}): Layer.Layer<OperatorClient, ConfigurationError> =>
    Layer.effect(
      OperatorClient,
      Effect.suspend(() => makeOperatorService(options, options.env ?? processEnv()))
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
  ): Layer.Layer<OperatorClient, Config.ConfigError | ConfigurationError> =>
    Layer.unwrap(
      Effect.gen(function* () {
        const baseUrl = yield* Config.URL(env.baseUrl)
        const token = yield* Config.Redacted(env.adminToken)
        return Layer.effect(
          OperatorClient,
          makeOperatorService({ ...options, baseUrl, adminToken: Redacted.value(token) }, {})
        )
      })
    )
}

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
  resolveOperatorSettings(options, environment)
  const service = Effect.runSync(Effect.orDie(makeOperatorService(options, environment)))
  return promiseOperatorClient(service, options.signal)
}
