/**
 * The page's files, built by `web/build.mjs` into `dist/web/`: `/app/`
 * (the HTML, never cached, with the Content-Security-Policy) and
 * `/app/assets/<name>.<hash>.<ext>` (immutable), compressed once at start
 * (brotli, gzip) and sent as the client accepts. `/` and `/app` redirect to
 * `/app/`.
 *
 * @since 0.2.0
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { brotliCompressSync, constants, gzipSync } from "node:zlib"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { HttpServerRequest } from "effect/http/HttpServerRequest"

/**
 * The page's Content-Security-Policy: everything from the service itself,
 * no inline script or style, no frames, no plugins.
 *
 * @since 0.2.0
 * @category constants
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'"
].join("; ")

/**
 * The headers of every page response.
 *
 * @since 0.2.0
 * @category constants
 */
export const pageHeaders: Readonly<Record<string, string>> = {
  "content-security-policy": contentSecurityPolicy,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin"
}

/**
 * Where the built page lives: `dist/web/` of this package (found from
 * `src/app/` and `dist/app/` alike).
 *
 * @since 0.2.0
 * @category constants
 */
export const webDir = fileURLToPath(new URL("../../dist/web/", import.meta.url))

interface Asset {
  readonly contentType: string
  readonly identity: Uint8Array
  readonly gzip: Uint8Array
  readonly br: Uint8Array
}

const contentTypes: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  html: "text/html; charset=utf-8",
  svg: "image/svg+xml"
}

const assetOf = (bytes: Uint8Array, contentType: string): Asset => ({
  contentType,
  identity: bytes,
  gzip: gzipSync(bytes, { level: 9 }),
  br: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })
})

/**
 * The built page, read and compressed: the HTML and the hashed assets by
 * name (`undefined` when the page is not built).
 *
 * @since 0.2.0
 * @category assets
 */
export const loadAssets = (
  dir: string = webDir
): { readonly index: Asset; readonly assets: ReadonlyMap<string, Asset> } | undefined => {
  if (!existsSync(`${dir}index.html`)) return undefined
  const assets = new Map<string, Asset>()
  for (const name of readdirSync(`${dir}assets`)) {
    const type = contentTypes[name.slice(name.lastIndexOf(".") + 1)]
    if (type !== undefined) assets.set(name, assetOf(readFileSync(`${dir}assets/${name}`), type))
  }
  return { index: assetOf(readFileSync(`${dir}index.html`), contentTypes.html!), assets }
}

const encodingOf = (request: HttpServerRequest): "br" | "gzip" | undefined => {
  const accept = request.headers["accept-encoding"]
  if (typeof accept !== "string") return undefined
  const names = accept.split(",").map((part) => part.trim().split(";")[0]?.trim().toLowerCase())
  return names.includes("br") ? "br" : names.includes("gzip") ? "gzip" : undefined
}

const send = (request: HttpServerRequest, asset: Asset, cacheControl: string) => {
  const encoding = encodingOf(request)
  const body = encoding === undefined ? asset.identity : asset[encoding]
  const headers: Record<string, string> = { ...pageHeaders, "cache-control": cacheControl, vary: "accept-encoding" }
  if (encoding !== undefined) headers["content-encoding"] = encoding
  return HttpServerResponse.uint8Array(body, { contentType: asset.contentType, headers })
}

const toPage = HttpServerResponse.redirect("/app/", { status: 302, headers: pageHeaders })
const notBuilt = HttpServerResponse.text("the page is not built: run the package's build", {
  status: 503,
  headers: pageHeaders
})
const noAsset = HttpServerResponse.text("not found", { status: 404, headers: pageHeaders })

// `/` redirects to the page. A global middleware, as the operations' catch-all
// 404 (`* /*`) also claims `/` in the router.
const RootRedirect = HttpRouter.middleware(
  (httpEffect) =>
    Effect.flatMap(HttpServerRequest, (request) =>
      request.method === "GET" && (request.url === "/" || request.url.startsWith("/?"))
        ? Effect.succeed(toPage)
        : httpEffect
    ),
  { global: true }
)

/**
 * The page's routes on the app's `HttpRouter`.
 *
 * @since 0.2.0
 * @category layers
 */
export const AssetRoutes: Layer.Layer<never, never, HttpRouter.HttpRouter> = Layer.unwrap(
  Effect.sync(() => {
    const built = loadAssets()
    return Layer.mergeAll(
      RootRedirect,
      HttpRouter.add("GET", "/app/", (request) =>
        Effect.succeed(built === undefined ? notBuilt : send(request, built.index, "no-cache"))
      ),
      HttpRouter.add("GET", "/app/assets/:name", (request) => {
        const name = request.url.slice(request.url.lastIndexOf("/") + 1).split("?")[0] ?? ""
        const asset = built?.assets.get(name)
        return Effect.succeed(
          asset === undefined ? noAsset : send(request, asset, "public, max-age=31536000, immutable")
        )
      })
    )
  })
)
