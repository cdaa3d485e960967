/**
 * A transport over effect's `HttpClient`, for Effect programs that want their
 * own client beneath the SDK (a proxy, tracing middleware, a test client).
 * It costs more per call than `undiciTransport`: the SDK's decision record
 * 0040 has the figures.
 *
 * @since 0.1.0
 */
import { Context, Effect, Stream } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { concat, declaredLength } from "./internal/bytes.js"
import { responseTooLarge, type Transport, type TransportRequest, type TransportResponse } from "./Transport.js"

class TooLarge {
  constructor(readonly status: number) {}
}

/**
 * A transport running each request through the given effect `HttpClient`,
 * with the services of `context`. The body is read chunk by chunk and the
 * stream stopped past `maxResponseBytes`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const httpClientTransport = (
  client: HttpClient.HttpClient,
  context: Context.Context<never> = Context.empty()
): Transport => {
  const run = Effect.runPromiseWith(context)
  return (request: TransportRequest): Promise<TransportResponse> => {
    const base = HttpClientRequest.make(request.method)(request.url, { headers: request.headers })
    const outgoing =
      request.body === undefined
        ? base
        : HttpClientRequest.bodyText(base, request.body, request.headers["content-type"] ?? "text/plain")
    const exchange = Effect.gen(function* () {
      const response = yield* client.execute(outgoing)
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(response.headers)) headers[name.toLowerCase()] = String(value)
      const length = declaredLength(headers["content-length"])
      if (length !== undefined && length > request.maxResponseBytes)
        return yield* Effect.fail(new TooLarge(response.status))
      const read = yield* Stream.runFoldEffect(
        response.stream,
        () => ({ chunks: [] as Array<Uint8Array>, size: 0 }),
        (acc, chunk: Uint8Array) => {
          acc.size += chunk.byteLength
          if (acc.size > request.maxResponseBytes) return Effect.fail(new TooLarge(response.status))
          acc.chunks.push(chunk)
          return Effect.succeed(acc)
        }
      )
      return { status: response.status, headers, body: concat(read.chunks, read.size) }
    }).pipe(Effect.scoped)
    return run(exchange, { signal: request.signal }).catch((error: unknown) => {
      throw error instanceof TooLarge ? responseTooLarge(request, error.status) : error
    })
  }
}

/**
 * `httpClientTransport` over the `HttpClient` of the current context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const httpClientTransportFromContext: Effect.Effect<Transport, never, HttpClient.HttpClient> = Effect.gen(
  function* () {
    const client = yield* HttpClient.HttpClient
    const context = yield* Effect.context<never>()
    return httpClientTransport(client, context)
  }
)
