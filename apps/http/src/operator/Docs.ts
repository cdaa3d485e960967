/**
 * The operator API's documents: `/openapi.json`, the OpenAPI document of
 * core's `OperatorApi` with the service's version, and `/docs`, a
 * browsable reference of it. Both are sent compressed when the client
 * accepts it (`br`, else `gzip`) and are cacheable: an ETag of their
 * content, `Cache-Control: public, max-age=300`, and 304 to a request whose
 * `If-None-Match` names that ETag. The compressed bodies are made once,
 * off the event loop, on the first request that asks for them.
 *
 * @since 0.2.0
 */
import { createHash } from "node:crypto"
import { promisify } from "node:util"
import { brotliCompress, constants, gzip } from "node:zlib"
import { OperatorApi } from "@account-overview/core"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { HttpApiScalar, OpenApi } from "effect/http-api"
import { serviceVersion } from "../Version.js"

/**
 * Core's `OperatorApi` with the service's version in its OpenAPI document.
 *
 * @since 0.2.0
 * @category documents
 */
export const operatorApiDocumented = OperatorApi.annotate(OpenApi.Version, serviceVersion)

/**
 * The OpenAPI document `/openapi.json` serves, made without a server.
 *
 * @since 0.2.0
 * @category documents
 */
export const operatorOpenApi = (): OpenApi.OpenAPISpec => OpenApi.fromApi(operatorApiDocumented)

/**
 * What the documents' responses say of caching.
 *
 * @since 0.2.0
 * @category constants
 */
export const documentCacheControl = "public, max-age=300"

/**
 * The content coding to send for an `Accept-Encoding` header: `br` when the
 * client accepts it, else `gzip`, else `identity` (a coding with `q=0` is
 * refused; `*` accepts both).
 *
 * @since 0.2.0
 * @category documents
 */
export const negotiateEncoding = (acceptEncoding: string | undefined): "br" | "gzip" | "identity" => {
  if (acceptEncoding === undefined) return "identity"
  const accepted = new Map<string, number>()
  for (const part of acceptEncoding.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";")
    if (name === undefined || name === "") continue
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="))
    accepted.set(name, q === undefined ? 1 : Number(q.slice(2)) || 0)
  }
  const weight = (coding: string) => accepted.get(coding) ?? accepted.get("*") ?? 0
  if (weight("br") > 0) return "br"
  if (weight("gzip") > 0) return "gzip"
  return "identity"
}

/**
 * Whether an `If-None-Match` header names `etag` (weak or strong, or `*`).
 *
 * @since 0.2.0
 * @category documents
 */
export const matchesEtag = (ifNoneMatch: string | undefined, etag: string): boolean => {
  if (ifNoneMatch === undefined) return false
  const strong = etag.replace(/^W\//, "")
  return ifNoneMatch
    .split(",")
    .map((tag) => tag.trim())
    .some((tag) => tag === "*" || tag.replace(/^W\//, "") === strong)
}

const brotli = promisify(brotliCompress)
const gzipAsync = promisify(gzip)

interface Variants {
  readonly etag: string
  readonly encoded: Map<"br" | "gzip", Promise<Uint8Array>>
}

// Keyed by the body, which the document routes make once and send again and again.
const variantsOf = new WeakMap<Uint8Array, Variants>()

const variants = (body: Uint8Array): Variants => {
  let found = variantsOf.get(body)
  if (found === undefined) {
    found = { etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`, encoded: new Map() }
    variantsOf.set(body, found)
  }
  return found
}

const encode = (body: Uint8Array, coding: "br" | "gzip", of: Variants): Promise<Uint8Array> => {
  let encoded = of.encoded.get(coding)
  if (encoded === undefined) {
    encoded =
      coding === "br"
        ? brotli(body, {
            params: { [constants.BROTLI_PARAM_QUALITY]: 6, [constants.BROTLI_PARAM_SIZE_HINT]: body.length }
          })
        : gzipAsync(body, { level: 9 })
    // A failure is not kept: the next request tries again.
    encoded.catch(() => of.encoded.delete(coding))
    of.encoded.set(coding, encoded)
  }
  return encoded
}

/**
 * The route middleware of the documents: a 200 answer to a GET whose body
 * is bytes gets an ETag and `Cache-Control`, is compressed as the client
 * accepts, and becomes a 304 when the client holds it already. Other
 * answers pass as they are.
 *
 * @since 0.2.0
 * @category middleware
 */
export const CacheableDocuments = HttpRouter.middleware((httpEffect) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const response = yield* httpEffect
    if (request.method !== "GET" || response.status !== 200 || response.body._tag !== "Uint8Array") return response
    const body = response.body.body
    const contentType = response.body.contentType
    const of = variants(body)
    const headers = {
      etag: of.etag,
      "cache-control": documentCacheControl,
      vary: "Accept-Encoding"
    }
    if (matchesEtag(request.headers["if-none-match"], of.etag)) {
      return HttpServerResponse.empty({ status: 304, headers })
    }
    const coding = negotiateEncoding(request.headers["accept-encoding"])
    if (coding === "identity") return HttpServerResponse.setHeaders(response, headers)
    const encoded = yield* Effect.promise(() => encode(body, coding, of)).pipe(
      Effect.map((bytes): Uint8Array | undefined => bytes),
      Effect.catchDefect(() => Effect.succeed(undefined))
    )
    if (encoded === undefined) return HttpServerResponse.setHeaders(response, headers)
    return HttpServerResponse.uint8Array(encoded, {
      contentType,
      headers: { ...headers, "content-encoding": coding }
    })
  })
).layer

const openApiResponse = (() => {
  let response: HttpServerResponse.HttpServerResponse | undefined
  return () => {
    response ??= HttpServerResponse.jsonUnsafe(operatorOpenApi())
    return response
  }
})()

/**
 * `/openapi.json` and `/docs`, compressed and cacheable, to mount on the
 * app's `HttpRouter`.
 *
 * @since 0.2.0
 * @category layers
 */
export const DocsRoutes: Layer.Layer<never, never, HttpRouter.HttpRouter> = Layer.mergeAll(
  HttpRouter.add("GET", "/openapi.json", Effect.sync(openApiResponse)),
  HttpApiScalar.layer(operatorApiDocumented, { path: "/docs" })
).pipe(Layer.provide(CacheableDocuments))
