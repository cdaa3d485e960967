/**
 * The operator client's service: effect's `HttpApiClient` derived from core's
 * `OperatorApi` over `FetchHttpClient`, the bearer token added by the API's
 * own `OperatorAuth` middleware, each method one endpoint run as one call.
 */
import {
  type AlertThreshold,
  type CalendarDate,
  OperatorApi,
  OperatorAuth,
  type WebhookEventType
} from "@account-overview/core"
import { Effect, Layer, Option, Redacted, Schema, Stream } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest, type HttpClientResponse } from "effect/http"
import { HttpApiClient, HttpApiMiddleware } from "effect/http-api"
import type { ClientError } from "../../Errors.js"
import type {
  OperatorCalls,
  OperatorClientOptions,
  OperatorClientService,
  Page,
  WithResponses
} from "../../OperatorClient.js"
import type { WithResponse } from "../../WithResponse.js"
import { makeScrub } from "../redact.js"
import { configured, defaults, type Env } from "../settings.js"
import { AnswerSeen, makeCall } from "./call.js"
import { ResponseDecodeFailure } from "./errors.js"
import { ingest } from "./ingest.js"
import { withListings } from "./listings.js"
import { operatorRoutes, type Route } from "./routes.js"
import { resolveOperatorSettings } from "./settings.js"

const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }

const thresholds = (list: ReadonlyArray<AlertThreshold> | undefined): Array<AlertThreshold> | undefined =>
  list === undefined ? undefined : [...list]

/** What an endpoint of `HttpApiClient` answers in the "decoded-and-response" mode, as `WithResponse`. */
const withResponseOf = <A>([data, response]: readonly [A, HttpClientResponse.HttpClientResponse]): WithResponse<A> => ({
  data,
  response: { status: response.status, headers: response.headers, requestId: response.headers["x-request-id"] }
})

/** Every function of a (nested) record of calls, its effect's value mapped by `f`. */
const mapCalls = (
  calls: object,
  f: (effect: Effect.Effect<never, ClientError>) => Effect.Effect<unknown, ClientError>
): object =>
  Object.fromEntries(
    Object.entries(calls).map(([key, value]) => [
      key,
      typeof value === "function" ? (...args: Array<unknown>) => f(value(...args)) : mapCalls(value as object, f)
    ])
  )

/** Every item of every page, from `first` on, until a page without a next cursor (or an empty one). */
const allPages = <A>(
  first: string | undefined,
  page: (cursor: string | undefined) => Effect.Effect<Page<A>, ClientError>
): Stream.Stream<A, ClientError> =>
  Stream.paginate(first, (cursor) =>
    Effect.map(page(cursor), (result) => [
      result.items,
      result.nextCursor === undefined || result.items.length === 0 ? Option.none() : Option.some(result.nextCursor)
    ])
  )

/** The service for the options; fails with `ConfigurationError` for a bad setting. */
export const makeOperatorService = Effect.fnUntraced(function* (options: OperatorClientOptions, environment: Env) {
  const settings = yield* configured(() => resolveOperatorSettings(options, environment))
  const auth = HttpApiMiddleware.layerClient(OperatorAuth, ({ next, request }) =>
    Effect.tap(next(HttpClientRequest.bearerToken(request, settings.token)), (response) =>
      Effect.map(Effect.service(AnswerSeen), (seen) => {
        if (seen !== undefined) seen.requestId = response.headers["x-request-id"]
      })
    )
  )
  const http =
    options.fetch === undefined
      ? FetchHttpClient.layer
      : FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, options.fetch)))
  const userAgent = options.userAgent ?? defaults.userAgent
  const api = yield* HttpApiClient.make(OperatorApi, {
    baseUrl: settings.baseUrl,
    transformClient: HttpClient.mapRequest(HttpClientRequest.setHeader("user-agent", userAgent)),
    transformResponse: (decoding) =>
      Effect.mapError(decoding, (error) => (Schema.isSchemaError(error) ? new ResponseDecodeFailure(error) : error))
  }).pipe(Effect.provide(Layer.merge(auth, http)))

  const endpoints = api as unknown as Record<string, Record<string, Function>>
  const routes = new Map<Function, Route>()
  for (const [group, named] of Object.entries(operatorRoutes())) {
    for (const [name, route] of Object.entries(named)) routes.set(endpoints[group]![name]!, route)
  }
  const call = makeCall(settings, (endpoint) => routes.get(endpoint)!, makeScrub([Redacted.value(settings.token)]))

  /**
   * The single-request calls, with `extra` in each request: nothing, or the
   * "decoded-and-response" mode, in which each endpoint answers
   * `[value, response]` (then `mapCalls` below turns that into `WithResponse`).
   */
  const operatorCalls = (extra: {}): OperatorCalls => ({
    packages: {
      set: (name, input) =>
        call(api.packages.set, {
          params: { name },
          payload: {
            credits: input.credits,
            ...optional("overagePrice", input.overagePrice),
            ...optional("alertThresholds", thresholds(input.alertThresholds))
          },
          ...extra
        }),
      list: () => call(api.packages.list, { ...extra })
    },
    resellers: {
      set: (apiUser, input = {}) =>
        call(api.resellers.set, {
          params: { apiUser },
          payload: { ...optional("apiKey", input.apiKey), ...optional("timeZone", input.timeZone) },
          ...extra
        }),
      rotateKey: (apiUser) => call(api.resellers.rotateKey, { params: { apiUser }, ...extra }, { retries: 0 }),
      overviews: (apiUser, query = {}) =>
        call(api.resellers.overviews, {
          params: { apiUser },
          query: {
            ...optional("date", query.date as CalendarDate | undefined),
            ...optional("limit", query.limit),
            ...optional("cursor", query.cursor)
          },
          ...extra
        })
    },
    customers: {
      set: (user, input) =>
        call(api.customers.set, {
          params: { user },
          payload: {
            reseller: input.reseller,
            package: input.package,
            billingAnchor: input.billingAnchor as CalendarDate,
            reputation: input.reputation,
            ...optional("timeZone", input.timeZone),
            ...optional("alertThresholds", thresholds(input.alertThresholds))
          },
          ...extra
        }),
      get: (user) => call(api.customers.get, { params: { user }, ...extra }),
      list: (query = {}) =>
        call(api.customers.list, {
          query: {
            ...optional("reseller", query.reseller),
            ...optional("limit", query.limit),
            ...optional("cursor", query.cursor)
          },
          ...extra
        }),
      overview: (user, query = {}) =>
        call(api.customers.overview, {
          params: { user },
          query: optional("date", query.date as CalendarDate | undefined),
          ...extra
        })
    },
    voidEvents: (ids) => call(api.usageVoids.void, { payload: { ids: [...ids] }, ...extra }),
    billing: {
      cycles: (user, query = {}) =>
        call(api.billing.cycles, {
          params: { user },
          query: {
            ...optional("from", query.from as CalendarDate | undefined),
            ...optional("to", query.to as CalendarDate | undefined)
          },
          ...extra
        }),
      changePackage: (user, input) =>
        call(api.billing.changePackage, {
          params: { user },
          payload: { package: input.package, effective: input.effective },
          ...extra
        }),
      cancelPackageChange: (user) => call(api.billing.cancelPackageChange, { params: { user }, ...extra }),
      resellerCycles: (apiUser, query) =>
        call(api.billing.resellerCycles, {
          params: { apiUser },
          query: { closedOn: query.closedOn as CalendarDate },
          ...extra
        }),
      resellerCyclesCsv: (apiUser, query) =>
        call(api.billing.resellerCyclesCsv, {
          params: { apiUser },
          query: { closedOn: query.closedOn as CalendarDate },
          ...extra
        })
    },
    webhooks: {
      set: (id, input) =>
        call(api.webhooks.set, {
          params: { id },
          payload: {
            url: input.url,
            events: input.events as readonly [WebhookEventType, ...Array<WebhookEventType>],
            ...optional("resellers", input.resellers === undefined ? undefined : [...input.resellers]),
            ...optional("enabled", input.enabled)
          },
          ...extra
        }),
      list: () => call(api.webhooks.list, { ...extra }),
      get: (id) => call(api.webhooks.get, { params: { id }, ...extra }),
      remove: (id) => call(api.webhooks.remove, { params: { id }, ...extra }),
      rotateSecret: (id, input = {}) =>
        call(
          api.webhooks.rotateSecret,
          { params: { id }, payload: optional("graceSeconds", input.graceSeconds), ...extra },
          { retries: 0 }
        ),
      deliveries: (id, query = {}) =>
        call(api.webhooks.deliveries, {
          params: { id },
          query: { ...optional("limit", query.limit), ...optional("cursor", query.cursor) },
          ...extra
        }),
      redeliver: (id, deliveryId) => call(api.webhooks.redeliver, { params: { id, deliveryId }, ...extra })
    }
  })

  const calls = operatorCalls({})
  const service: OperatorClientService = {
    packages: calls.packages,
    ...withListings<OperatorClientService>(calls, allPages),
    ingest: (events, ingestOptions) =>
      ingest((payload) => call(api.usage.ingest, { payload: payload as Array<unknown> }), events, ingestOptions),
    voidEvents: calls.voidEvents,
    billing: calls.billing,
    webhooks: calls.webhooks,
    withResponse: mapCalls(operatorCalls({ responseMode: "decoded-and-response" }), (effect) =>
      Effect.map(
        effect as Effect.Effect<readonly [unknown, HttpClientResponse.HttpClientResponse], ClientError>,
        withResponseOf
      )
    ) as WithResponses<OperatorCalls>
  }
  return service
})
