/**
 * The HTTP server: one `node:http` server whose request listener answers
 * the four wire paths itself (parse, then run the `WireHandler` effect with
 * a context built once) and hands every other request to the Effect
 * `HttpRouter` app (operations, operator API). It is provided as Effect's
 * `HttpServer` service, so `HttpRouter.serve` mounts the router on it.
 *
 * Slow clients are bounded by Node's `headersTimeout`, `requestTimeout` and
 * `keepAliveTimeout`; shutdown stops accepting, lets requests in flight
 * finish (answered with `Connection: close`) and closes what is left after
 * `SHUTDOWN_TIMEOUT_MS`.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import * as Http from "node:http"
import {
  type Dialect,
  errorTable,
  type Format,
  InternalError,
  type ParamsSource,
  wireBaseOf,
  wireBases,
  wireRouteOf
} from "@account-overview/core"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Effect, Exit, Layer, Scope } from "effect"
import * as HttpServer from "effect/http/HttpServer"
import { ServeError } from "effect/http/HttpServerError"
import * as NetAddress from "effect/net/NetAddress"
import { clientAddressOf } from "./ClientAddress.js"
import { Lifecycle } from "./Lifecycle.js"
import * as Log from "./Log.js"
import { Metrics } from "./Metrics.js"
import { maxBodyBytes, Settings } from "./Settings.js"
import { bodyEncodingOf, bodyParams, isBodyProblem, readBody } from "./wire/Body.js"
import { errorAnswer, failureAnswer, type WireAnswer, WireHandler } from "./wire/Handler.js"

/**
 * A Node request listener.
 *
 * @since 0.1.0
 * @category models
 */
export type NodeListener = (request: Http.IncomingMessage, response: Http.ServerResponse) => void

const requestIdPattern = /^[A-Za-z0-9._:@/+=-]{1,128}$/

/**
 * The request id: the client's `X-Request-Id` when it is 1-128 safe
 * characters, else a new UUID.
 *
 * @since 0.1.0
 * @category requests
 */
export const requestIdOf = (header: string | Array<string> | undefined): string =>
  typeof header === "string" && requestIdPattern.test(header) ? header : randomUUID()

/**
 * The metrics label of a path: a wire path, an operations path, or a group.
 *
 * @since 0.1.0
 * @category routes
 */
export const routeLabel = (path: string): string => {
  if (wireRouteOf(path) !== undefined) return path
  switch (path) {
    case "/healthz":
    case "/readyz":
    case "/metrics":
    case "/openapi.json":
    case "/docs":
      return path
  }
  if (path.startsWith("/v1/")) return "/v1"
  const dialect = wireBaseOf(path)
  return dialect === undefined ? "other" : `${wireBases[dialect]}*`
}

const bearerOf = (header: string | undefined): string | undefined => {
  if (header === undefined || header.length < 8) return undefined
  if (header.slice(0, 7).toLowerCase() !== "bearer ") return undefined
  const token = header.slice(7).trim()
  return token === "" ? undefined : token
}

const hasBody = (request: Http.IncomingMessage): boolean => {
  const length = request.headers["content-length"]
  return request.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0")
}

/**
 * Builds the request listener: the wire paths are answered here, every
 * other request goes to `delegate`.
 *
 * @since 0.1.0
 * @category listeners
 */
export const makeRequestListener = Effect.fnUntraced(function* () {
  const handler = yield* WireHandler
  const metrics = yield* Metrics
  const lifecycle = yield* Lifecycle
  const settings = yield* Settings
  const sink = yield* Log.LogSink
  const context = yield* Effect.context<never>()
  const run = Effect.runForkWith(context)
  const debug = Log.enabled(settings.logLevel, "Debug")
  const trustProxy = settings.trustProxy

  const row = (name: keyof typeof errorTable, format: Format) =>
    errorAnswer(errorTable[name].status, [errorTable[name].message], format)
  const fixed = (format: Format) => ({
    methodNotAllowed: row("MethodNotAllowed", format),
    tooLarge: row("PayloadTooLarge", format),
    unsupported: row("UnsupportedMediaType", format),
    internal: failureAnswer(new InternalError(), format)
  })
  const answers = { json: fixed("json"), xml: fixed("xml") }
  const unknownFormat = row("UnknownFormat", "json")

  const addressOf = (request: Http.IncomingMessage): string =>
    clientAddressOf(trustProxy, request.socket.remoteAddress, request.headers["x-forwarded-for"])

  const accessLog = (request: Http.IncomingMessage, path: string, status: number, ms: number, id: string) =>
    sink(
      Log.formatLine("debug", "request", {
        requestId: id,
        method: request.method,
        path,
        status,
        durationMs: Math.round(ms * 1000) / 1000
      })
    )

  const send = (
    request: Http.IncomingMessage,
    response: Http.ServerResponse,
    path: string,
    started: number,
    id: string,
    answer: WireAnswer,
    options?: { readonly close?: boolean; readonly allow?: boolean }
  ): void => {
    if (response.headersSent || response.destroyed) return
    const headers: Array<string> = [
      "content-type",
      answer.contentType,
      "content-length",
      String(answer.body.byteLength),
      "x-request-id",
      id
    ]
    if (answer.retryAfter !== undefined) headers.push("retry-after", String(answer.retryAfter))
    if (options?.allow === true) headers.push("allow", "GET, POST")
    if (options?.close === true || lifecycle.isDraining()) headers.push("connection", "close")
    response.writeHead(answer.status, headers)
    response.end(answer.body)
    const ms = performance.now() - started
    metrics.observeRequest(routeLabel(path), answer.status, ms / 1000)
    if (debug) accessLog(request, path, answer.status, ms, id)
  }

  const answerCall = (
    request: Http.IncomingMessage,
    response: Http.ServerResponse,
    path: string,
    started: number,
    id: string,
    format: Format,
    dialect: Dialect,
    query: string,
    body: ParamsSource | undefined
  ): void => {
    const fiber = run(
      handler.answer({
        format,
        dialect,
        query,
        body,
        bearer: bearerOf(request.headers.authorization),
        address: addressOf(request),
        requestId: id
      })
    )
    const done = (exit: Exit.Exit<WireAnswer>) =>
      send(request, response, path, started, id, Exit.isSuccess(exit) ? exit.value : answers[format].internal)
    const exit = fiber.pollUnsafe()
    if (exit !== undefined) {
      done(exit)
      return
    }
    fiber.addObserver(done)
    response.once("close", () => {
      if (!response.writableEnded) fiber.interruptUnsafe()
    })
  }

  return (delegate: NodeListener): NodeListener =>
    (request, response) => {
      const started = performance.now()
      const url = request.url ?? "/"
      const q = url.indexOf("?")
      const path = q < 0 ? url : url.slice(0, q)
      const id = requestIdOf(request.headers["x-request-id"])
      const route = wireRouteOf(path)
      if (route === undefined) {
        const under = wireBaseOf(path)
        if (under !== undefined && path.indexOf("/", wireBases[under].length) < 0) {
          return send(request, response, path, started, id, unknownFormat, { close: hasBody(request) })
        }
        request.headers["x-request-id"] = id
        response.setHeader("x-request-id", id)
        if (lifecycle.isDraining()) response.shouldKeepAlive = false
        response.once("finish", () => {
          const ms = performance.now() - started
          metrics.observeRequest(routeLabel(path), response.statusCode, ms / 1000)
          if (debug) accessLog(request, path, response.statusCode, ms, id)
        })
        return delegate(request, response)
      }
      const { dialect, format } = route
      const query = q < 0 ? "" : url.slice(q + 1)
      const method = request.method
      if (method === "GET") return answerCall(request, response, path, started, id, format, dialect, query, undefined)
      if (method !== "POST") {
        return send(request, response, path, started, id, answers[format].methodNotAllowed, {
          allow: true,
          close: hasBody(request)
        })
      }
      const encoding = bodyEncodingOf(request.headers["content-type"])
      if (encoding === undefined) {
        return send(request, response, path, started, id, answers[format].unsupported, { close: hasBody(request) })
      }
      readBody(request, maxBodyBytes, (body) => {
        if (body === "aborted") return
        if (body === "too-large") {
          return send(request, response, path, started, id, answers[format].tooLarge, { close: true })
        }
        const params = bodyParams(encoding, body)
        if (isBodyProblem(params)) {
          return params._tag === "Malformed"
            ? send(
                request,
                response,
                path,
                started,
                id,
                errorAnswer(errorTable.InvalidRequest.status, [params.message], format)
              )
            : send(request, response, path, started, id, answers[format].unsupported)
        }
        answerCall(request, response, path, started, id, format, dialect, query, params === "" ? undefined : params)
      })
    }
})

const listen = (server: Http.Server, port: number, host: string) =>
  Effect.callback<NetAddress.SocketAddress, ServeError>((resume) => {
    const onError = (cause: Error) => resume(Effect.fail(new ServeError({ cause })))
    server.once("error", onError)
    server.listen({ port, host }, () => {
      server.off("error", onError)
      const address = server.address()
      if (address === null || typeof address === "string") {
        return resume(Effect.succeed(NetAddress.unixPathAddress(String(address))))
      }
      const inet = NetAddress.inetAddressFromIpString(address.address, address.port)
      resume(
        inet._tag === "Success" ? Effect.succeed(inet.success) : Effect.fail(new ServeError({ cause: inet.failure }))
      )
    })
  })

/**
 * Stops accepting connections, lets requests in flight finish, and after
 * `timeoutMs` closes the connections still open.
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const drain = (server: Http.Server, timeoutMs: number): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    if (!server.listening) return resume(Effect.void)
    const timer = setTimeout(() => server.closeAllConnections(), timeoutMs)
    server.close(() => {
      clearTimeout(timer)
      resume(Effect.void)
    })
    server.closeIdleConnections()
  })

/**
 * Effect's `HttpServer` on a `node:http` server with the wire listener in
 * front, plus the Node HTTP platform services the router needs.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  HttpServer.HttpServer | Layer.Success<typeof NodeHttpServer.layerHttpServices>,
  ServeError,
  Settings | Lifecycle | Metrics | WireHandler
> = Layer.merge(
  Layer.effect(
    HttpServer.HttpServer,
    Effect.gen(function* () {
      const settings = yield* Settings
      const lifecycle = yield* Lifecycle
      const server = Http.createServer({
        headersTimeout: settings.headersTimeoutMs,
        requestTimeout: settings.requestTimeoutMs,
        keepAliveTimeout: settings.keepAliveTimeoutMs,
        connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(settings.headersTimeoutMs / 4)))
      })
      const shutdown = Effect.suspend(() => {
        lifecycle.beginDrain()
        return drain(server, settings.shutdownTimeoutMs)
      })
      yield* Effect.addFinalizer(() => shutdown)
      const address = yield* listen(server, settings.port, settings.host)
      const withWire = yield* makeRequestListener()
      return HttpServer.make({
        address,
        serve: Effect.fnUntraced(function* (httpApp, middleware) {
          const serveScope = yield* Effect.scope
          const handlerScope = Scope.makeUnsafe("parallel")
          const delegate = (yield* NodeHttpServer.makeHandler(httpApp, {
            middleware: middleware as never,
            scope: handlerScope
          }) as Effect.Effect<NodeListener>) satisfies NodeListener
          const listener = withWire(delegate)
          server.on("request", listener)
          yield* Scope.addFinalizer(
            serveScope,
            shutdown.pipe(
              Effect.ensuring(Effect.sync(() => server.off("request", listener))),
              Effect.ensuring(Scope.close(handlerScope, Exit.void))
            )
          )
        })
      })
    })
  ),
  NodeHttpServer.layerHttpServices
)
