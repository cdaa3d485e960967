/**
 * Traces: OTLP over HTTP through `effect/observability`'s `OtlpTracer`, on
 * when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`)
 * is set, off otherwise. When off, nothing is added: the wire handler is
 * the same object and Effect's default tracer stays in place, so the hot
 * path pays nothing (decision 0095). When on, each wire call is a server
 * span (`overview <path>`), each operator call one too (`<METHOD>
 * <route template>`), spans of the store beneath them; the spans are
 * exported in batches every 5 seconds and when the service stops.
 *
 * @since 0.2.0
 */
import { wirePath } from "@account-overview/core"
import { Effect, Layer, Option, Redacted } from "effect"
import { FetchHttpClient, HttpMiddleware, UrlParams } from "effect/http"
import { OtlpExporter, OtlpSerialization, OtlpTracer } from "effect/observability"
import { Settings, type TracingSettings } from "./Settings.js"
import { serviceVersion } from "./Version.js"
import { WireHandler } from "./wire/Handler.js"

const quietPaths = new Set(["/healthz", "/readyz", "/metrics"])

const secretParam = /key|token|secret|password/i

const exporter = (settings: TracingSettings, spanName: (method: string, path: string) => string) =>
  OtlpTracer.layer({
    url: settings.url,
    resource: { serviceName: settings.serviceName, serviceVersion },
    headers: Option.getOrUndefined(Option.map(settings.headers, Redacted.value))
  }).pipe(
    Layer.provide(settings.protocol === "http/json" ? OtlpSerialization.layerJson : OtlpSerialization.layerProtobuf),
    Layer.provide(FetchHttpClient.layer),
    Layer.merge(
      Layer.succeed(HttpMiddleware.SpanNameGenerator)((request) => {
        const q = request.url.indexOf("?")
        return spanName(request.method, q < 0 ? request.url : request.url.slice(0, q))
      })
    ),
    Layer.merge(
      Layer.succeed(HttpMiddleware.TracerDisabledWhen)((request) => {
        const q = request.url.indexOf("?")
        return quietPaths.has(q < 0 ? request.url : request.url.slice(0, q))
      })
    ),
    // A key sent in the query string of a path the router answers never reaches a span.
    Layer.merge(
      Layer.succeed(UrlParams.CurrentRedactedNames)([...UrlParams.CurrentRedactedNames.defaultValue(), secretParam])
    )
  )

/**
 * The OTLP exporter as the tracer of everything built above it, when the
 * settings turn tracing on; only a flusher with nothing to flush otherwise.
 * The spans of the router's requests (operator API) are named by
 * `spanName` (method and route label); `/healthz`, `/readyz` and
 * `/metrics` make none. The spans still buffered are exported when the
 * layer closes (at most 3 seconds).
 *
 * @since 0.2.0
 * @category layers
 */
export const layerTracer = (
  spanName: (method: string, path: string) => string
): Layer.Layer<OtlpExporter.Flusher, never, Settings> =>
  Layer.unwrap(
    Effect.gen(function* () {
      const settings = yield* Settings
      return Option.match(settings.tracing, {
        onNone: () => OtlpExporter.layerFlusher,
        onSome: (tracing) => exporter(tracing, spanName)
      })
    })
  )

/**
 * The wire handler, each call a server span when tracing is on (its path,
 * format, dialect, request id and answered status as attributes; never a
 * parameter); the handler itself when it is off.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerWireSpans: Layer.Layer<WireHandler, never, WireHandler | Settings> = Layer.effect(
  WireHandler,
  Effect.gen(function* () {
    const handler = yield* WireHandler
    const settings = yield* Settings
    if (Option.isNone(settings.tracing)) return handler
    return WireHandler.of({
      answer: (call) => {
        const path = wirePath(call.format, call.dialect)
        return handler.answer(call).pipe(
          Effect.tap((answer) => Effect.annotateCurrentSpan("http.response.status_code", answer.status)),
          Effect.withSpan(`overview ${path}`, {
            kind: "server",
            attributes: {
              "http.route": path,
              "http.request.id": call.requestId,
              "account_overview.format": call.format,
              "account_overview.dialect": call.dialect
            }
          })
        )
      }
    })
  })
)
