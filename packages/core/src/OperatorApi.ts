/**
 * The operator API, declared once: the microservice implements it with
 * `HttpApiBuilder`, the SDK's operator client derives from it with
 * `HttpApiClient`. JSON over HTTP under `/v1`, every call authorised by
 * `Authorization: Bearer <ADMIN_TOKEN>`.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import {
  HttpApi,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpApiMiddleware,
  HttpApiSchema,
  HttpApiSecurity,
  OpenApi
} from "effect/http-api"
import { AlertThresholds } from "./AlertThresholds.js"
import { CalendarDate } from "./CalendarDate.js"
import { CustomerCycles, PackageAssignments, PackageChangeEffective, ResellerCycleReport } from "./Cycles.js"
import {
  Customer,
  CustomerSettings,
  EventProblem,
  IngestResult,
  maxEventsPerBatch,
  Name,
  Package,
  Page,
  Price,
  VoidResult
} from "./LedgerRecords.js"
import { Count, Overview } from "./Overview.js"
import { TimeZone } from "./TimeZone.js"
import {
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointInput,
  WebhookRotateInput,
  WebhookSecretRotation
} from "./Webhooks.js"

/**
 * The bearer token is missing or wrong.
 *
 * @since 0.1.0
 * @category errors
 */
export class OperatorUnauthorized extends Schema.TaggedError<OperatorUnauthorized>(
  "@account-overview/core/OperatorUnauthorized"
)("OperatorUnauthorized", { message: Schema.String }, { httpApiStatus: 401 }) {}

/**
 * The operator API is switched off (no `ADMIN_TOKEN` set) or its store is
 * down; `message` says which.
 *
 * @since 0.1.0
 * @category errors
 */
export class OperatorUnavailable extends Schema.TaggedError<OperatorUnavailable>(
  "@account-overview/core/OperatorUnavailable"
)("OperatorUnavailable", { message: Schema.String }, { httpApiStatus: 503 }) {}

/**
 * The named package, reseller or customer does not exist.
 *
 * @since 0.1.0
 * @category errors
 */
export class OperatorNotFound extends Schema.TaggedError<OperatorNotFound>("@account-overview/core/OperatorNotFound")(
  "OperatorNotFound",
  { message: Schema.String },
  { httpApiStatus: 404 }
) {}

/**
 * The request is invalid; `problems` lists each bad item (for a usage batch:
 * each bad event by index and field). Nothing was stored.
 *
 * @since 0.1.0
 * @category errors
 */
export class OperatorInvalid extends Schema.TaggedError<OperatorInvalid>("@account-overview/core/OperatorInvalid")(
  "OperatorInvalid",
  { message: Schema.String, problems: Schema.Array(EventProblem) },
  { httpApiStatus: 400 }
) {}

/**
 * A usage batch holds more events than `maxEventsPerBatch`, or the body is
 * larger than the server takes. Nothing was stored.
 *
 * @since 0.1.0
 * @category errors
 */
export class OperatorBatchTooLarge extends Schema.TaggedError<OperatorBatchTooLarge>(
  "@account-overview/core/OperatorBatchTooLarge"
)("OperatorBatchTooLarge", { message: Schema.String, limit: Schema.Int }, { httpApiStatus: 413 }) {}

/**
 * Authorises every operator call with `Authorization: Bearer <ADMIN_TOKEN>`.
 *
 * @since 0.1.0
 * @category middleware
 */
export class OperatorAuth extends HttpApiMiddleware.Service<OperatorAuth>()("@account-overview/core/OperatorAuth", {
  requiredForClient: true,
  security: { bearer: HttpApiSecurity.bearer },
  error: [OperatorUnauthorized, OperatorUnavailable]
}) {}

/**
 * Turns a request whose path, query or body does not decode into an
 * `OperatorInvalid` naming each bad field, instead of an empty 400.
 *
 * @since 0.1.0
 * @category middleware
 */
export class OperatorRequestErrors extends HttpApiMiddleware.Service<OperatorRequestErrors>()(
  "@account-overview/core/OperatorRequestErrors",
  { error: OperatorInvalid }
) {}

/**
 * Page size of listings: 1 to 1000, 100 when not given.
 *
 * @since 0.1.0
 * @category models
 */
export const Limit = Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 1000 })))

/**
 * A customer's overview in the operator API; in a reseller's listing, a
 * customer whose overview could not be read carries its `problem` instead,
 * and the others are listed as usual.
 *
 * @since 0.1.0
 * @category models
 */
export const CustomerOverview = Schema.Union([
  Schema.Struct({
    user: Schema.String,
    overview: Overview
  }),
  Schema.Struct({
    user: Schema.String,
    problem: Schema.String
  })
])

/**
 * What `PUT /v1/resellers/{apiUser}` and `rotate-key` answer: the key is
 * present only when the server generated it, and is shown this once.
 *
 * @since 0.1.0
 * @category models
 */
export const ResellerKeyResult = Schema.Struct({
  apiUser: Schema.String,
  created: Schema.Boolean,
  apiKey: Schema.optionalKey(Schema.String)
})

const storeErrors = [OperatorUnavailable] as const

// The query parameter `limit` is a string on the URL that must read as a `Limit`: the document
// says so with `Limit`'s own JSON Schema (an integer from 1 to 1000) instead of the string codec's.
const limitJsonSchema = Schema.toJsonSchemaDocument(Limit).schema
const integerLimit = <O extends { readonly parameters?: ReadonlyArray<OpenApi.OpenAPISpecParameter> }>(
  operation: O
): O => ({
  ...operation,
  parameters: (operation.parameters ?? []).map((parameter) =>
    parameter.in === "query" && parameter.name === "limit"
      ? { ...parameter, schema: { ...limitJsonSchema, default: 100 } }
      : parameter
  )
})

const documented = (summary: string, options: { readonly description?: string; readonly limit?: true } = {}) =>
  OpenApi.annotations({
    summary,
    description: options.description,
    transform: options.limit === undefined ? undefined : integerLimit
  })

/**
 * `PUT /v1/packages/{name}`, `GET /v1/packages`.
 *
 * @since 0.1.0
 * @category groups
 */
export class PackagesGroup extends HttpApiGroup.make("packages")
  .add(
    HttpApiEndpoint.put("set", "/:name", {
      params: { name: Name },
      payload: Schema.Struct({
        credits: Count,
        overagePrice: Schema.optionalKey(Price),
        alertThresholds: Schema.optionalKey(AlertThresholds)
      }),
      success: Package,
      error: [OperatorInvalid, ...storeErrors]
    }).annotateMerge(documented("Create or update a package")),
    HttpApiEndpoint.get("list", "/", {
      success: Schema.Array(Package),
      error: storeErrors
    }).annotateMerge(documented("List the packages"))
  )
  .middleware(OperatorAuth)
  .middleware(OperatorRequestErrors)
  .prefix("/v1/packages")
  .annotateMerge(OpenApi.annotations({ description: "Packages: the credits of a cycle and the overage price." })) {}

/**
 * `PUT /v1/resellers/{apiUser}`, `POST /v1/resellers/{apiUser}/rotate-key`,
 * `GET /v1/resellers/{apiUser}/overviews`.
 *
 * @since 0.1.0
 * @category groups
 */
export class ResellersGroup extends HttpApiGroup.make("resellers")
  .add(
    HttpApiEndpoint.put("set", "/:apiUser", {
      params: { apiUser: Name },
      payload: Schema.Struct({ apiKey: Schema.optionalKey(Schema.String), timeZone: Schema.optionalKey(TimeZone) }),
      success: ResellerKeyResult,
      error: [OperatorInvalid, ...storeErrors]
    }).annotateMerge(
      documented("Create a reseller", {
        description: "Without a key, one is generated and returned once; on an existing reseller nothing changes."
      })
    ),
    HttpApiEndpoint.post("rotateKey", "/:apiUser/rotate-key", {
      params: { apiUser: Name },
      success: ResellerKeyResult,
      error: [OperatorNotFound, ...storeErrors]
    }).annotateMerge(
      documented("Rotate a reseller's key", { description: "The old key stops working on every instance at once." })
    ),
    HttpApiEndpoint.get("overviews", "/:apiUser/overviews", {
      params: { apiUser: Name },
      query: {
        date: Schema.optionalKey(CalendarDate),
        limit: Schema.optionalKey(Limit),
        cursor: Schema.optionalKey(Schema.String)
      },
      success: Page(CustomerOverview),
      error: [OperatorNotFound, OperatorInvalid, ...storeErrors]
    }).annotateMerge(documented("List the overviews of a reseller's customers", { limit: true }))
  )
  .middleware(OperatorAuth)
  .middleware(OperatorRequestErrors)
  .prefix("/v1/resellers")
  .annotateMerge(OpenApi.annotations({ description: "Resellers: their keys and their customers' overviews." })) {}

/**
 * `PUT|GET /v1/customers/{user}`, `GET /v1/customers`,
 * `GET /v1/customers/{user}/overview`.
 *
 * @since 0.1.0
 * @category groups
 */
export class CustomersGroup extends HttpApiGroup.make("customers")
  .add(
    HttpApiEndpoint.put("set", "/:user", {
      params: { user: Name },
      payload: CustomerSettings,
      success: Customer,
      error: [OperatorInvalid, ...storeErrors]
    }).annotateMerge(documented("Create or update a customer")),
    HttpApiEndpoint.get("get", "/:user", {
      params: { user: Name },
      success: Customer,
      error: [OperatorNotFound, ...storeErrors]
    }).annotateMerge(documented("Get a customer")),
    HttpApiEndpoint.get("list", "/", {
      query: {
        reseller: Schema.optionalKey(Name),
        limit: Schema.optionalKey(Limit),
        cursor: Schema.optionalKey(Schema.String)
      },
      success: Page(Customer),
      error: [OperatorInvalid, ...storeErrors]
    }).annotateMerge(documented("List customers", { limit: true })),
    HttpApiEndpoint.get("overview", "/:user/overview", {
      params: { user: Name },
      query: { date: Schema.optionalKey(CalendarDate) },
      success: Overview,
      error: [OperatorNotFound, ...storeErrors]
    }).annotateMerge(
      documented("Get a customer's overview", {
        description: "The overview of the cycle that holds `date` (today by default)."
      })
    )
  )
  .middleware(OperatorAuth)
  .middleware(OperatorRequestErrors)
  .prefix("/v1/customers")
  .annotateMerge(OpenApi.annotations({ description: "Customers: their package, billing anchor and overviews." })) {}

/**
 * `POST /v1/usage`: a JSON array, or NDJSON (`application/x-ndjson`), of at
 * most `maxEventsPerBatch` events. The events are validated by the server
 * (not by the schema) so that every bad event is reported by index and field.
 *
 * @since 0.1.0
 * @category groups
 */
export class UsageGroup extends HttpApiGroup.make("usage")
  .add(
    HttpApiEndpoint.post("ingest", "/", {
      payload: [
        Schema.Array(Schema.Unknown),
        Schema.String.pipe(HttpApiSchema.asText({ contentType: "application/x-ndjson" }))
      ],
      success: IngestResult,
      error: [OperatorInvalid, OperatorBatchTooLarge, ...storeErrors]
    }).annotateMerge(documented("Ingest usage events"))
  )
  .middleware(OperatorAuth)
  .middleware(OperatorRequestErrors)
  .prefix("/v1/usage")
  .annotateMerge(
    OpenApi.annotations({
      description: `Ingests up to ${maxEventsPerBatch} usage events, idempotently by event id.`
    })
  ) {}

/**
 * `POST /v1/usage/voids` with `{"ids": [...]}`: voids stored events by id,
 * at most `maxEventsPerBatch` per call. A voided event is recorded as voided
 * (the ledger stays append-only) and counts in no overview, as if it was
 * never sent. Idempotent: an id voided before is a duplicate; an id that is
 * not a stored event is a problem by index, and nothing is voided. The ids
 * are checked by the server so that each bad one is reported by index.
 *
 * @since 0.2.0
 * @category groups
 */
export class UsageVoidsGroup extends HttpApiGroup.make("usageVoids")
  .add(
    HttpApiEndpoint.post("void", "/", {
      payload: Schema.Struct({ ids: Schema.Array(Schema.Unknown) }),
      success: VoidResult,
      error: [OperatorInvalid, OperatorBatchTooLarge, ...storeErrors]
    }).annotateMerge(documented("Void usage events"))
  )
  .middleware(OperatorAuth)
  .middleware(OperatorRequestErrors)
  .prefix("/v1/usage/voids")
  .annotateMerge(
    OpenApi.annotations({
      description: `Voids up to ${maxEventsPerBatch} usage events by id, idempotently.`
    })
  ) {}

/**
 * Billing history and package changes (since 0.2.0):
 * `GET /v1/customers/{user}/cycles?from=&to=`,
 * `POST /v1/customers/{user}/package`,
 * `DELETE /v1/customers/{user}/package/scheduled`,
 * `GET /v1/resellers/{apiUser}/cycles?closedOn=` (JSON) and
 * `GET /v1/resellers/{apiUser}/cycles.csv?closedOn=` (CSV).
 *
 * @since 0.2.0
 * @category groups
 */
export class BillingGroup extends HttpApiGroup.make("billing")
  .add(
    HttpApiEndpoint.get("cycles", "/v1/customers/:user/cycles", {
      params: { user: Name },
      query: { from: Schema.optionalKey(CalendarDate), to: Schema.optionalKey(CalendarDate) },
      success: CustomerCycles,
      error: [OperatorNotFound, OperatorInvalid, ...storeErrors]
    }).annotateMerge(
      documented("A customer's billing cycles", {
        description: "Each closed and current cycle between `from` and `to`."
      })
    ),
    HttpApiEndpoint.post("changePackage", "/v1/customers/:user/package", {
      params: { user: Name },
      payload: Schema.Struct({ package: Name, effective: PackageChangeEffective }),
      success: PackageAssignments,
      error: [OperatorNotFound, OperatorInvalid, ...storeErrors]
    }).annotateMerge(
      documented("Change a customer's package", { description: "At once, or from the next cycle's first day." })
    ),
    HttpApiEndpoint.delete("cancelPackageChange", "/v1/customers/:user/package/scheduled", {
      params: { user: Name },
      success: PackageAssignments,
      error: [OperatorNotFound, ...storeErrors]
    }).annotateMerge(documented("Cancel a scheduled package change")),
    HttpApiEndpoint.get("resellerCycles", "/v1/resellers/:apiUser/cycles", {
      params: { apiUser: Name },
      query: { closedOn: CalendarDate },
      success: ResellerCycleReport,
      error: [OperatorNotFound, OperatorInvalid, ...storeErrors]
    }).annotateMerge(
      documented("A reseller's cycles closed on a date", { description: "The overage report for billing, in JSON." })
    ),
    HttpApiEndpoint.get("resellerCyclesCsv", "/v1/resellers/:apiUser/cycles.csv", {
      params: { apiUser: Name },
      query: { closedOn: CalendarDate },
      success: Schema.String.pipe(HttpApiSchema.asText({ contentType: "text/csv" })),
      error: [OperatorNotFound, OperatorInvalid, ...storeErrors]
    }).annotateMerge(documented("A reseller's cycles closed on a date, as CSV"))
  )
  .middleware(OperatorAuth)
  .middleware(OperatorRequestErrors)
  .annotateMerge(
    OpenApi.annotations({
      description: "Billing: cycle history, package changes with effective dates, overage reports."
    })
  ) {}

/**
 * Webhook endpoints and their delivery logs (since 0.2.0):
 * `PUT|GET|DELETE /v1/webhooks/{id}`, `GET /v1/webhooks`,
 * `POST /v1/webhooks/{id}/rotate-secret`,
 * `GET /v1/webhooks/{id}/deliveries`,
 * `POST /v1/webhooks/{id}/deliveries/{deliveryId}/redeliver`.
 *
 * @since 0.2.0
 * @category groups
 */
export class WebhooksGroup extends HttpApiGroup.make("webhooks")
  .add(
    HttpApiEndpoint.put("set", "/:id", {
      params: { id: Name },
      payload: WebhookEndpointInput,
      success: WebhookEndpoint,
      error: [OperatorInvalid, ...storeErrors]
    }).annotateMerge(
      documented("Create or update a webhook endpoint", {
        description:
          "On creation the answer carries the signing secret (`secret`), shown this once. The URL must be http or https to a host the operator allows (no loopback or private address unless `WEBHOOK_ALLOWED_HOSTS` lists it)."
      })
    ),
    HttpApiEndpoint.get("list", "/", {
      success: Schema.Array(WebhookEndpoint),
      error: storeErrors
    }).annotateMerge(documented("List the webhook endpoints")),
    HttpApiEndpoint.get("get", "/:id", {
      params: { id: Name },
      success: WebhookEndpoint,
      error: [OperatorNotFound, ...storeErrors]
    }).annotateMerge(documented("Get a webhook endpoint")),
    HttpApiEndpoint.delete("remove", "/:id", {
      params: { id: Name },
      success: WebhookEndpoint,
      error: [OperatorNotFound, ...storeErrors]
    }).annotateMerge(
      documented("Delete a webhook endpoint", { description: "Its pending deliveries are not attempted again." })
    ),
    HttpApiEndpoint.post("rotateSecret", "/:id/rotate-secret", {
      params: { id: Name },
      payload: WebhookRotateInput,
      success: WebhookSecretRotation,
      error: [OperatorNotFound, OperatorInvalid, ...storeErrors]
    }).annotateMerge(
      documented("Rotate a webhook endpoint's signing secret", {
        description:
          "The new secret is shown this once; the old one keeps signing (a second `v1=` in `AO-Signature`) for `graceSeconds` (24 hours by default)."
      })
    ),
    HttpApiEndpoint.get("deliveries", "/:id/deliveries", {
      params: { id: Name },
      query: {
        limit: Schema.optionalKey(Limit),
        cursor: Schema.optionalKey(Schema.String)
      },
      success: Page(WebhookDelivery),
      error: [OperatorNotFound, OperatorInvalid, ...storeErrors]
    }).annotateMerge(documented("List an endpoint's deliveries, newest first", { limit: true })),
    HttpApiEndpoint.post("redeliver", "/:id/deliveries/:deliveryId/redeliver", {
      params: { id: Name, deliveryId: Name },
      success: WebhookDelivery,
      error: [OperatorNotFound, ...storeErrors]
    }).annotateMerge(
      documented("Redeliver a delivery", {
        description: "Queues the delivery again (status `pending`, due now), with the same event id."
      })
    )
  )
  .middleware(OperatorAuth)
  .middleware(OperatorRequestErrors)
  .prefix("/v1/webhooks")
  .annotateMerge(
    OpenApi.annotations({
      description: "Webhooks: signed `usage.threshold_crossed` events, delivered at least once, and their log."
    })
  ) {}

/**
 * The whole operator API. Requests are decoded reporting every bad field,
 * not only the first.
 *
 * @since 0.1.0
 * @category api
 */
export class OperatorApi extends HttpApi.make("account-overview-operator")
  .add(PackagesGroup)
  .add(ResellersGroup)
  .add(CustomersGroup)
  .add(UsageGroup)
  .add(UsageVoidsGroup)
  .add(BillingGroup)
  .add(WebhooksGroup)
  .annotate(HttpApi.ParseOptions, { errors: "all" })
  .annotateMerge(
    OpenApi.annotations({
      title: "Account Overview operator API",
      description: "Load packages, resellers and customers, ingest usage, read overviews.",
      license: { name: "MIT", url: "https://opensource.org/licenses/MIT" },
      servers: [{ url: "/", description: "The service that serves this document" }]
    })
  ) {}
