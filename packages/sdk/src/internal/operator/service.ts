/**
 * The operator client's service: effect's `HttpApiClient` derived from core's
 * `OperatorApi` over `FetchHttpClient`, the bearer token added by the API's
 * own `OperatorAuth` middleware, each method one endpoint run as one call.
 */
import { type CalendarDate, OperatorApi, OperatorAuth } from "@account-overview/core"
import { Effect, Layer, Redacted, Schema } from "effect"
import { FetchHttpClient, HttpClientRequest } from "effect/http"
import { HttpApiClient, HttpApiMiddleware } from "effect/http-api"
import type { OperatorClientOptions, OperatorClientService } from "../../OperatorClient.js"
import { makeScrub } from "../redact.js"
import { configured, type Env } from "../settings.js"
import { makeCall } from "./call.js"
import { ResponseDecodeFailure } from "./errors.js"
import { ingest } from "./ingest.js"
import { operatorRoutes, type Route } from "./routes.js"
import { resolveOperatorSettings } from "./settings.js"

const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }

/** The service for the options; fails with `ConfigurationError` for a bad setting. */
export const makeOperatorService = Effect.fnUntraced(function* (options: OperatorClientOptions, environment: Env) {
  const settings = yield* configured(() => resolveOperatorSettings(options, environment))
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

  const endpoints = api as unknown as Record<string, Record<string, Function>>
  const routes = new Map<Function, Route>()
  for (const [group, named] of Object.entries(operatorRoutes())) {
    for (const [name, route] of Object.entries(named)) routes.set(endpoints[group]![name]!, route)
  }
  const call = makeCall(settings, (endpoint) => routes.get(endpoint)!, makeScrub([Redacted.value(settings.token)]))

  const service: OperatorClientService = {
    packages: {
      set: (name, input) =>
        call(api.packages.set, {
          params: { name },
          payload: input.overagePrice === undefined ? { credits: input.credits } : input
        }),
      list: () => call(api.packages.list)
    },
    resellers: {
      set: (apiUser, input = {}) =>
        call(api.resellers.set, {
          params: { apiUser },
          payload: { ...optional("apiKey", input.apiKey), ...optional("timeZone", input.timeZone) }
        }),
      rotateKey: (apiUser) => call(api.resellers.rotateKey, { params: { apiUser } }, { retries: 0 }),
      overviews: (apiUser, query = {}) =>
        call(api.resellers.overviews, {
          params: { apiUser },
          query: {
            ...optional("date", query.date as CalendarDate | undefined),
            ...optional("limit", query.limit),
            ...optional("cursor", query.cursor)
          }
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
            ...optional("timeZone", input.timeZone)
          }
        }),
      get: (user) => call(api.customers.get, { params: { user } }),
      list: (query = {}) =>
        call(api.customers.list, {
          query: {
            ...optional("reseller", query.reseller),
            ...optional("limit", query.limit),
            ...optional("cursor", query.cursor)
          }
        }),
      overview: (user, query = {}) =>
        call(api.customers.overview, {
          params: { user },
          query: optional("date", query.date as CalendarDate | undefined)
        })
    },
    ingest: (events, ingestOptions) =>
      ingest((payload) => call(api.usage.ingest, { payload: payload as Array<unknown> }), events, ingestOptions),
    voidEvents: (ids) => call(api.usageVoids.void, { payload: { ids: [...ids] } }),
    billing: {
      cycles: (user, query = {}) =>
        call(api.billing.cycles, {
          params: { user },
          query: {
            ...optional("from", query.from as CalendarDate | undefined),
            ...optional("to", query.to as CalendarDate | undefined)
          }
        }),
      changePackage: (user, input) =>
        call(api.billing.changePackage, {
          params: { user },
          payload: { package: input.package, effective: input.effective }
        }),
      cancelPackageChange: (user) => call(api.billing.cancelPackageChange, { params: { user } }),
      resellerCycles: (apiUser, query) =>
        call(api.billing.resellerCycles, { params: { apiUser }, query: { closedOn: query.closedOn as CalendarDate } }),
      resellerCyclesCsv: (apiUser, query) =>
        call(api.billing.resellerCyclesCsv, {
          params: { apiUser },
          query: { closedOn: query.closedOn as CalendarDate }
        })
    }
  }
  return service
})
