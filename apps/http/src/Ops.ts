/**
 * Operations endpoints on the Effect router: `/healthz` (the process is up),
 * `/readyz` (the store answers and the instance is not shutting down),
 * `/metrics` (Prometheus text), and the JSON 404 for every unknown path.
 *
 * @since 0.1.0
 */
import { contentTypeOf, encodeErrorBody, errorTable } from "@account-overview/core"
import { Ledger } from "@account-overview/store"
import { Duration, Effect, type Layer } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { Lifecycle } from "./Lifecycle.js"
import { Metrics } from "./Metrics.js"

/**
 * How long `/readyz` waits for the store.
 *
 * @since 0.1.0
 * @category constants
 */
export const readinessTimeout = Duration.seconds(2)

const notFound = HttpServerResponse.uint8Array(encodeErrorBody([errorTable.NotFound.message], "json"), {
  status: errorTable.NotFound.status,
  contentType: contentTypeOf("json")
})

/**
 * The operations routes.
 *
 * @since 0.1.0
 * @category routes
 */
export const OpsRoutes: Layer.Layer<never, never, HttpRouter.HttpRouter | Ledger | Lifecycle | Metrics> =
  HttpRouter.use(
    Effect.fnUntraced(function* (router) {
      const ledger = yield* Ledger
      const lifecycle = yield* Lifecycle
      const metrics = yield* Metrics

      yield* router.add("GET", "/healthz", HttpServerResponse.jsonUnsafe({ status: "ok" }))

      yield* router.add(
        "GET",
        "/readyz",
        Effect.suspend(() =>
          lifecycle.isDraining()
            ? Effect.succeed(HttpServerResponse.jsonUnsafe({ status: "draining" }, { status: 503 }))
            : ledger.ping().pipe(
                Effect.timeout(readinessTimeout),
                Effect.as(HttpServerResponse.jsonUnsafe({ status: "ready" })),
                Effect.catch(() =>
                  Effect.sync(() => {
                    metrics.storeError()
                    return HttpServerResponse.jsonUnsafe({ status: "store unavailable" }, { status: 503 })
                  })
                )
              )
        )
      )

      yield* router.add(
        "GET",
        "/metrics",
        Effect.sync(() =>
          HttpServerResponse.text(metrics.render(), { contentType: "text/plain; version=0.0.4; charset=utf-8" })
        )
      )

      yield* router.add("*", "/*", notFound)
    })
  )
