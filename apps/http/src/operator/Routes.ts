/**
 * The operator API mounted as routes: `/v1/...` (packages, resellers,
 * customers, usage, webhooks), `/openapi.json` and `/docs`, with the bearer-token
 * middleware and the request-error middleware of core's declaration.
 *
 * @since 0.1.0
 */
import type { Ledger, LedgerOverviews, ResellerKeys } from "@account-overview/store"
import { Layer } from "effect"
import type { FileSystem } from "effect/FileSystem"
import type { Etag, HttpPlatform, HttpRouter } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import type { Path } from "effect/Path"
import { AppApiHandlers, ServedApi } from "../app/Handlers.js"
import type { Settings } from "../Settings.js"
import { OperatorAuthLive } from "./Auth.js"
import { BillingHandlers } from "./Billing.js"
import { CustomersHandlers } from "./Customers.js"
import { DocsRoutes } from "./Docs.js"
import { PackagesHandlers } from "./Packages.js"
import { OperatorRequestErrorsLive } from "./RequestErrors.js"
import { ResellersHandlers } from "./Resellers.js"
import { UsageHandlers } from "./Usage.js"
import { UsageVoidsHandlers } from "./UsageVoids.js"
import { WebhooksHandlers } from "./Webhooks.js"

/**
 * The settings of the router the operator routes are mounted on: no limit
 * of its own on a path parameter's length (its default, 100 characters,
 * answered 404 for longer names). Names are bounded by core's `Name`
 * (`maxNameLength`), so a name over it is a 400 naming the field in every
 * operator path; the request line itself is bounded by Node's header size.
 *
 * @since 0.2.0
 * @category constants
 */
export const routerConfig = { maxParamLength: Number.POSITIVE_INFINITY }

const ApiRoutes = HttpApiBuilder.layer(ServedApi).pipe(
  Layer.provide([
    PackagesHandlers,
    ResellersHandlers,
    CustomersHandlers,
    UsageHandlers,
    UsageVoidsHandlers,
    BillingHandlers,
    WebhooksHandlers,
    AppApiHandlers
  ]),
  Layer.provide([OperatorAuthLive, OperatorRequestErrorsLive])
)

/**
 * The operator API (`/v1/...`), its OpenAPI document (`/openapi.json`) and a
 * browsable reference (`/docs`, both compressed and cacheable: `Docs.ts`), to mount on the app's `HttpRouter`. Takes
 * the token from the settings (`ADMIN_TOKEN`; unset answers 503 on every
 * operator call).
 *
 * @since 0.1.0
 * @category layers
 */
export const OperatorRoutes: Layer.Layer<
  never,
  never,
  | Settings
  | Ledger
  | LedgerOverviews
  | ResellerKeys
  | HttpRouter.HttpRouter
  | Etag.Generator
  | FileSystem
  | HttpPlatform.HttpPlatform
  | Path
> = Layer.mergeAll(ApiRoutes, DocsRoutes)
