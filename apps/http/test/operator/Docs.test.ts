import { createServer, request } from "node:http"
import { brotliDecompressSync, gunzipSync } from "node:zlib"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { assert, describe, it, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import {
  DocsRoutes,
  documentCacheControl,
  matchesEtag,
  negotiateEncoding,
  operatorOpenApi
} from "../../src/operator/Docs.js"
import { serviceVersion } from "../../src/Version.js"

interface Raw {
  readonly status: number
  readonly headers: Record<string, string | Array<string> | undefined>
  readonly body: Buffer
}

const get = (base: string, path: string, headers: Record<string, string> = {}) =>
  Effect.promise(
    () =>
      new Promise<Raw>((resolve, reject) => {
        const req = request(`${base}${path}`, { headers }, (response) => {
          const chunks: Array<Buffer> = []
          response.on("data", (chunk: Buffer) => chunks.push(chunk))
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) })
          )
        })
        req.on("error", reject)
        req.end()
      })
  )

const serverLayer = HttpRouter.serve(DocsRoutes, { disableLogger: true, disableListenLog: true }).pipe(
  Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0 }))
)

const baseUrl = HttpServer.addressFormattedWith((url) => Effect.succeed(url))

describe("Docs (negotiateEncoding, matchesEtag, operatorOpenApi)", () => {
  it("sends br when accepted, else gzip, else identity; q=0 refuses a coding", () => {
    assert.strictEqual(negotiateEncoding(undefined), "identity")
    assert.strictEqual(negotiateEncoding(""), "identity")
    assert.strictEqual(negotiateEncoding("gzip, deflate, br"), "br")
    assert.strictEqual(negotiateEncoding("gzip, deflate"), "gzip")
    assert.strictEqual(negotiateEncoding("br;q=0, gzip;q=0.5"), "gzip")
    assert.strictEqual(negotiateEncoding("*"), "br")
    assert.strictEqual(negotiateEncoding("*;q=0"), "identity")
    assert.strictEqual(negotiateEncoding("deflate"), "identity")
    assert.strictEqual(negotiateEncoding("GZIP"), "gzip")
  })

  it("matches an ETag in If-None-Match, weak or strong, in a list or as *", () => {
    assert.isTrue(matchesEtag('"abc"', '"abc"'))
    assert.isTrue(matchesEtag('W/"abc"', '"abc"'))
    assert.isTrue(matchesEtag('"x", "abc"', '"abc"'))
    assert.isTrue(matchesEtag("*", '"abc"'))
    assert.isFalse(matchesEtag('"abd"', '"abc"'))
    assert.isFalse(matchesEtag(undefined, '"abc"'))
  })

  it("the OpenAPI document carries the service's version, a server and a summary on every operation", () => {
    const spec = operatorOpenApi()
    assert.strictEqual(spec.info.version, serviceVersion)
    assert.notStrictEqual(spec.info.version, "0.0.1")
    assert.isAbove(spec.servers?.length ?? 0, 0)
  })
})

layer(serverLayer, { timeout: 60_000 })("/docs and /openapi.json over HTTP (operator/Docs.ts)", (it) => {
  it.effect(
    "/docs is compressed as the client accepts: br, gzip, or not at all, with the same bytes inside",
    () =>
      Effect.gen(function* () {
        const base = yield* baseUrl
        const plain = yield* get(base, "/docs")
        assert.strictEqual(plain.status, 200)
        assert.isUndefined(plain.headers["content-encoding"])
        assert.include(String(plain.headers["content-type"]), "text/html")
        assert.isAbove(plain.body.length, 1_000_000)

        const br = yield* get(base, "/docs", { "accept-encoding": "gzip, deflate, br" })
        assert.strictEqual(br.status, 200)
        assert.strictEqual(br.headers["content-encoding"], "br")
        assert.include(String(br.headers["content-type"]), "text/html")
        assert.strictEqual(br.headers.vary, "Accept-Encoding")
        assert.isBelow(br.body.length, plain.body.length / 3)
        assert.isTrue(brotliDecompressSync(br.body).equals(plain.body))

        const gz = yield* get(base, "/docs", { "accept-encoding": "gzip" })
        assert.strictEqual(gz.headers["content-encoding"], "gzip")
        assert.isBelow(gz.body.length, plain.body.length / 3)
        assert.isTrue(gunzipSync(gz.body).equals(plain.body))
      }),
    30_000
  )

  it.effect(
    "/docs and /openapi.json are cacheable: an ETag, Cache-Control, 304 with no body on If-None-Match",
    () =>
      Effect.gen(function* () {
        const base = yield* baseUrl
        for (const path of ["/docs", "/openapi.json"]) {
          const first = yield* get(base, path, { "accept-encoding": "br" })
          const etag = String(first.headers.etag)
          assert.match(etag, /^"[A-Za-z0-9_-]{27}"$/, path)
          assert.strictEqual(first.headers["cache-control"], documentCacheControl)
          const again = yield* get(base, path)
          assert.strictEqual(again.headers.etag, etag, `${path}: one ETag whatever the coding`)
          const cached = yield* get(base, path, { "if-none-match": etag, "accept-encoding": "br" })
          assert.strictEqual(cached.status, 304, path)
          assert.strictEqual(cached.body.length, 0)
          assert.strictEqual(cached.headers.etag, etag)
          assert.strictEqual(cached.headers["cache-control"], documentCacheControl)
          const stale = yield* get(base, path, { "if-none-match": '"something-else"' })
          assert.strictEqual(stale.status, 200)
        }
        const spec = JSON.parse((yield* get(base, "/openapi.json")).body.toString("utf8"))
        assert.strictEqual(spec.info.version, serviceVersion)
      }),
    30_000
  )
})
