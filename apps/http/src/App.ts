/**
 * The service assembled: the wire listener and the Effect router on one
 * HTTP server, the throttles, metrics and logging, the webhook delivery
 * worker, over a store layer
 * given by the caller (main picks it from `DATABASE_URL`; tests give their
 * own).
 *
 * @since 0.1.0
 */
import type { AccountOverviews } from "@account-overview/core"
import type { Ledger, LedgerOverviews, ResellerKeys } from "@account-overview/store"
import { type Config, Effect, Layer } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import type { ServeError } from "effect/http/HttpServerError"
import { AssetRoutes } from "./app/Assets.js"
import { Lifecycle } from "./Lifecycle.js"
import { LogLayer } from "./Log.js"
import { Metrics } from "./Metrics.js"
import { OpsRoutes } from "./Ops.js"
import { OperatorRoutes, routerConfig } from "./operator/Routes.js"
import * as Server from "./Server.js"
import type { Settings } from "./Settings.js"
import { type RedisUnavailable, Throttles } from "./Throttle.js"
import { layerTracer, layerWireSpans } from "./Tracing.js"
import { WebhookDelivery } from "./WebhookDelivery.js"
import { WireHandler } from "./wire/Handler.js"

/**
 * Every route of the Effect router: operations, the operator API (with the
 * page's API), the page's files.
 *
 * @since 0.1.0
 * @category layers
 */
export const RouterRoutes = Layer.mergeAll(OpsRoutes, OperatorRoutes, AssetRoutes)

/**
 * Logs the address the server listens on.
 *
 * @since 0.1.0
 * @category layers
 */
export const logAddress: Layer.Layer<never, never, HttpServer.HttpServer> = Layer.effectDiscard(
  HttpServer.addressFormattedWith((url) => Effect.logInfo("listening").pipe(Effect.annotateLogs({ url })))
)

/**
 * The running service: `HttpServer` (its address) once it listens.
 *
 * @since 0.2.0
 * @category layers
 */
export const AppLayer: Layer.Layer<
  HttpServer.HttpServer | Metrics | Lifecycle,
  ServeError | Config.ConfigError | RedisUnavailable,
  Settings | Ledger | LedgerOverviews | ResellerKeys | AccountOverviews
> = HttpRouter.serve(RouterRoutes, { disableLogger: true, disableListenLog: true, routerConfig }).pipe(
  Layer.provideMerge(logAddress),
  Layer.provideMerge(Server.layer),
  Layer.provide(layerWireSpans),
  Layer.provide(WireHandler.layer),
  Layer.provide(Throttles.layer),
  Layer.provide(WebhookDelivery.layer),
  Layer.provideMerge(Layer.mergeAll(Metrics.layer, Lifecycle.layer)),
  Layer.provide(LogLayer),
  Layer.provide(layerTracer((method, path) => `${method} ${Server.routeLabel(path)}`))
)
